import { ValidationError } from './errors';
import { CURRENT_SCHEMA_VERSION, type LabResultRecordedData, type ReferenceRange, type VigilEventType } from './events';
import { normaliseLabValue } from './units/normalise';

/**
 * Upcasters turn an event stored in an old schema version into the current shape, on read: the log is
 * never rewritten (docs/safety-rules.md §6). Each entry lifts one version to the next; `upcast` chains them.
 */
type Upcaster = (data: unknown) => unknown;

const UPCASTERS: { readonly [T in VigilEventType]?: Readonly<Record<number, Upcaster>> } = {
  LabResultRecorded: {
    1: labResultRecordedV1toV2,
  },
};

export { CURRENT_SCHEMA_VERSION };

export interface Upcast {
  schemaVersion: number;
  data: unknown;
}

/**
 * The event's data in the current schema version of its type. Types Vigil's domain does not define
 * pass through unchanged. A version newer than this code knows, or a gap in the chain, throws: reading
 * it as if it were current would misread the record.
 */
export function upcast(type: string, schemaVersion: number, data: unknown): Upcast {
  if (!Object.prototype.hasOwnProperty.call(CURRENT_SCHEMA_VERSION, type)) return { schemaVersion, data };
  const eventType = type as VigilEventType;
  const current = CURRENT_SCHEMA_VERSION[eventType];
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > current) {
    throw new Error(`${type} schema version ${schemaVersion} is not known (current is ${current})`);
  }
  let version = schemaVersion;
  let upcastData = data;
  while (version < current) {
    const step = UPCASTERS[eventType]?.[version];
    if (!step) throw new Error(`no upcaster for ${type} v${version} → v${version + 1}`);
    upcastData = step(upcastData);
    version += 1;
  }
  return { schemaVersion: version, data: upcastData };
}

/** A stored event in its type's current schema: the same event when it already is, else a copy with its data upcast. */
export function inCurrentSchema<E extends { type: string; schemaVersion: number; data: unknown }>(event: E): E {
  const current = upcast(event.type, event.schemaVersion, event.data);
  if (current.schemaVersion === event.schemaVersion && current.data === event.data) return event;
  return { ...event, schemaVersion: current.schemaVersion, data: current.data };
}

/**
 * LabResultRecorded v1 was recorded before normalisation existed: v2 adds `normalised`, computed by the
 * same units/ code as new results. A missing reference range is tolerated; a malformed one (negative,
 * low above high) is left out of `normalised` but kept as reported. A value whose test or unit Vigil
 * does not know cannot be normalised, and throws: guessing a unit could hide a dangerous value.
 */
function labResultRecordedV1toV2(data: unknown): LabResultRecordedData {
  const v1 = data as Omit<LabResultRecordedData, 'normalised'> & { normalised?: unknown };
  const range = v1.referenceRange ?? undefined;
  try {
    return { ...v1, normalised: normaliseLabValue(v1.test, v1.value, v1.unit, range as ReferenceRange | undefined) };
  } catch (error) {
    if (error instanceof ValidationError && error.field === 'referenceRange') {
      return { ...v1, normalised: normaliseLabValue(v1.test, v1.value, v1.unit) };
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot upcast LabResultRecorded v1 to v2: ${reason}`, { cause: error });
  }
}
