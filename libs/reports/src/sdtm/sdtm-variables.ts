/**
 * The SDTM datasets Vigil exports and their variables (docs/interchange.md "SDTM", after docs/safety-rules.md §4):
 * names, labels and Dataset-JSON 1.1 data types, in the column order of the files.
 */
export type SdtmDomain = 'DM' | 'EX' | 'LB' | 'AE';
export const SDTM_DOMAINS: readonly SdtmDomain[] = ['DM', 'EX', 'LB', 'AE'];
export const isSdtmDomain = (value: string): value is SdtmDomain => (SDTM_DOMAINS as readonly string[]).includes(value);

export type DatasetJsonType = 'string' | 'integer' | 'double' | 'datetime';

export interface SdtmVariable {
  name: string;
  label: string;
  dataType: DatasetJsonType;
  /** Key variables, in order (Dataset-JSON keySequence). */
  key?: number;
}

const v = (name: string, label: string, dataType: DatasetJsonType = 'string', key?: number): SdtmVariable => ({
  name,
  label,
  dataType,
  ...(key !== undefined ? { key } : {}),
});

const IDENTIFIERS = [v('STUDYID', 'Study Identifier', 'string', 1), v('DOMAIN', 'Domain Abbreviation'), v('USUBJID', 'Unique Subject Identifier', 'string', 2)];

/**
 * A dataset's variables: the identifiers, then (for a dataset of many records per subject) its sequence number
 * `seq`, the third key, then its own. The rows are made in the same shape (sdtm-rows.ts).
 */
const dataset = (label: string, seq: string | null, variables: SdtmVariable[]): { label: string; variables: readonly SdtmVariable[] } => ({
  label,
  variables: [...IDENTIFIERS, ...(seq !== null ? [v(seq, 'Sequence Number', 'integer', 3)] : []), ...variables],
});

export const SDTM_DATASETS: Readonly<Record<SdtmDomain, { label: string; variables: readonly SdtmVariable[] }>> = {
  DM: dataset('Demographics', null, [
    v('SUBJID', 'Subject Identifier for the Study'),
    v('RFSTDTC', 'Subject Reference Start Date/Time', 'datetime'),
    v('RFXSTDTC', 'Date/Time of First Study Treatment', 'datetime'),
    v('SITEID', 'Study Site Identifier'),
    v('BRTHDTC', 'Date/Time of Birth'),
    v('SEX', 'Sex'),
    v('ARMCD', 'Planned Arm Code'),
    v('ARM', 'Description of Planned Arm'),
    v('COUNTRY', 'Country'),
    v('DMDTC', 'Date/Time of Collection', 'datetime'),
  ]),
  EX: dataset('Exposure', 'EXSEQ', [
    v('EXTRT', 'Name of Treatment'),
    v('EXDOSE', 'Dose', 'double'),
    v('EXDOSU', 'Dose Units'),
    v('EXROUTE', 'Route of Administration'),
    v('EXLOT', 'Lot Number'),
    v('EXSTDTC', 'Start Date/Time of Treatment', 'datetime'),
    v('EXSTDY', 'Study Day of Start of Treatment', 'integer'),
  ]),
  LB: dataset('Laboratory Test Results', 'LBSEQ', [
    v('LBTESTCD', 'Lab Test or Examination Short Name'),
    v('LBTEST', 'Lab Test or Examination Name'),
    v('LBLOINC', 'LOINC Code'),
    v('LBORRES', 'Result or Finding in Original Units'),
    v('LBORRESU', 'Original Units'),
    v('LBORNRLO', 'Reference Range Lower Limit in Orig Unit'),
    v('LBORNRHI', 'Reference Range Upper Limit in Orig Unit'),
    v('LBSTRESC', 'Character Result/Finding in Std Format'),
    v('LBSTRESN', 'Numeric Result/Finding in Standard Units', 'double'),
    v('LBSTRESU', 'Standard Units'),
    v('LBSTNRLO', 'Reference Range Lower Limit-Std Units', 'double'),
    v('LBSTNRHI', 'Reference Range Upper Limit-Std Units', 'double'),
    v('LBNRIND', 'Reference Range Indicator'),
    v('LBTOXGR', 'Standard Toxicity Grade'),
    v('VISITNUM', 'Visit Number', 'integer'),
    v('VISITDY', 'Planned Study Day of Visit', 'integer'),
    v('LBDTC', 'Date/Time of Specimen Collection', 'datetime'),
    v('LBDY', 'Study Day of Specimen Collection', 'integer'),
  ]),
  AE: dataset('Adverse Events', 'AESEQ', [
    v('AETERM', 'Reported Term for the Adverse Event'),
    v('AEDECOD', 'Dictionary-Derived Term'),
    v('AESER', 'Serious Event'),
    v('AESEV', 'Severity/Intensity'),
    v('AETOXGR', 'Standard Toxicity Grade'),
    v('AEREL', 'Causality'),
    v('AEOUT', 'Outcome of Adverse Event'),
    v('AESDTH', 'Results in Death'),
    v('AESLIFE', 'Is Life Threatening'),
    v('AESHOSP', 'Requires or Prolongs Hospitalization'),
    v('AESDISAB', 'Persist or Signif Disability/Incapacity'),
    v('AESCONG', 'Congenital Anomaly or Birth Defect'),
    v('AESMIE', 'Other Medically Important Serious Event'),
    v('AESTDTC', 'Start Date/Time of Adverse Event', 'datetime'),
    v('AEENDTC', 'End Date/Time of Adverse Event', 'datetime'),
    v('AESTDY', 'Study Day of Start of Adverse Event', 'integer'),
  ]),
};
