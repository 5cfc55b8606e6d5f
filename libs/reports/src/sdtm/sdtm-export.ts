import { createHash } from 'node:crypto';
import { csvRecord } from '@vigil/audit';
import { TRANSREG } from '@vigil/domain';
import type { TrialFold } from '../log/trial-fold';
import { sdtmRowsOf, type SdtmRow } from './sdtm-rows';
import { SDTM_DATASETS, type SdtmDomain } from './sdtm-variables';

export type SdtmFormat = 'dataset-json' | 'csv';
export const SDTM_FORMATS: readonly SdtmFormat[] = ['dataset-json', 'csv'];

/** The Dataset-JSON version written (CDISC Dataset-JSON 1.1). */
export const DATASET_JSON_VERSION = '1.1.0';

export interface SdtmFile {
  domain: SdtmDomain;
  format: SdtmFormat;
  body: string;
  contentType: string;
  filename: string;
  /** Hex SHA-256 of the body. */
  sha256: string;
  /** Global position of the last event the file includes. */
  position: number;
  records: number;
}

export interface SdtmExportOptions {
  /** The version of Vigil that wrote the file (Dataset-JSON sourceSystem). */
  sourceVersion: string;
}

/** One SDTM dataset as a file: its bytes depend on the fold's events only (docs/interchange.md "Same position, same bytes"). */
export function sdtmExport(fold: TrialFold, domain: SdtmDomain, format: SdtmFormat, options: SdtmExportOptions): SdtmFile {
  const rows: SdtmRow[] = fold.enrolledPatients().flatMap((track) => sdtmRowsOf(domain, track, track.fold.state.trialId ?? TRANSREG.id));
  const body = format === 'csv' ? csvOf(domain, rows) : datasetJsonOf(domain, rows, fold, options);
  const suffix = format === 'csv' ? 'csv' : 'json';
  return {
    domain,
    format,
    body,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    filename: `${domain.toLowerCase()}-${fold.position}.${suffix}`,
    sha256: createHash('sha256').update(body, 'utf8').digest('hex'),
    position: fold.position,
    records: rows.length,
  };
}

function csvOf(domain: SdtmDomain, rows: SdtmRow[]): string {
  const { variables } = SDTM_DATASETS[domain];
  return csvRecord(variables.map((variable) => variable.name)) + rows.map((row) => csvRecord(row)).join('');
}

/**
 * CDISC Dataset-JSON 1.1: the creation time is the recording time of the last event included, never the
 * time of the request, so that the same position gives the same bytes.
 */
function datasetJsonOf(domain: SdtmDomain, rows: SdtmRow[], fold: TrialFold, options: SdtmExportOptions): string {
  const { label, variables } = SDTM_DATASETS[domain];
  const createdAt = fold.positionRecordedAt ?? new Date(0).toISOString();
  const dataset = {
    datasetJSONCreationDateTime: createdAt,
    datasetJSONVersion: DATASET_JSON_VERSION,
    fileOID: `VIGIL.${TRANSREG.id}.SDTM.${domain}.${fold.position}`,
    dbLastModifiedDateTime: createdAt,
    originator: 'Vigil',
    sourceSystem: { name: 'Vigil', version: options.sourceVersion },
    studyOID: TRANSREG.id,
    metaDataVersionOID: `MDV.${TRANSREG.id}.SDTM`,
    itemGroupOID: `IG.${domain}`,
    records: rows.length,
    name: domain,
    label,
    columns: variables.map((variable) => ({
      itemOID: `IT.${domain}.${variable.name}`,
      name: variable.name,
      label: variable.label,
      dataType: variable.dataType,
      ...(variable.key !== undefined ? { keySequence: variable.key } : {}),
    })),
    rows,
  };
  return JSON.stringify(dataset);
}
