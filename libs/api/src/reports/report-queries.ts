import { isSdtmDomain, SDTM_DOMAINS, SDTM_FORMATS, type SdtmDomain, type SdtmFormat } from '@vigil/reports';
import { DEFAULT_MAX_CLOCK_SKEW_MS, findSite, parseInstant, TRANSREG, ValidationError, type DiseaseCode } from '@vigil/domain';

/** What a report or export request asks for, checked: anything else is a 400 naming the parameter. */
export interface ReportQuery {
  /** ISO-8601 UTC; the request's time when not given. */
  asOf: string;
  /** Whether asOf was given: a report without one is of now, and follows the log as it grows. */
  asOfGiven: boolean;
  disease?: DiseaseCode;
  siteId?: string;
  format?: string;
}

function single(query: Record<string, unknown>, field: string): string | undefined {
  const value = query[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be given once');
  // An unencoded "+02:00" arrives as " 02:00" (a + in a query string is a space): take it as meant.
  return value.replace(/ (\d{2}:?\d{2})$/, '+$1');
}

function onlyKnown(query: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(query)) {
    if (!known.includes(key)) throw new ValidationError(key, `is not a parameter of this report (use ${known.join(', ')})`);
  }
}

/** asOf: a date-time with its zone, not in the future (beyond the clock skew the recording commands allow). */
export function asOfFrom(query: Record<string, unknown>, now: Date): { asOf: string; asOfGiven: boolean } {
  const text = single(query, 'asOf');
  if (text === undefined) return { asOf: now.toISOString(), asOfGiven: false };
  const asOf = parseInstant('asOf', text);
  if (asOf.getTime() > now.getTime() + DEFAULT_MAX_CLOCK_SKEW_MS) {
    throw new ValidationError('asOf', `${text} is in the future (now is ${now.toISOString()}): a report shows what was known, not what will be`);
  }
  return { asOf: asOf.toISOString(), asOfGiven: true };
}

/** `GET /reports/safety?asOf=&disease=&siteId=&format=json|html` */
export function safetyReportQuery(query: Record<string, unknown>, now: Date): ReportQuery {
  onlyKnown(query, ['asOf', 'disease', 'siteId', 'format']);
  const disease = single(query, 'disease');
  if (disease !== undefined && !TRANSREG.diseases.some((d) => d.code === disease)) {
    throw new ValidationError('disease', `"${disease}" is not a TRANSREG disease code (${TRANSREG.diseases.map((d) => d.code).join(', ')})`);
  }
  const siteId = single(query, 'siteId');
  if (siteId !== undefined && !findSite(TRANSREG, siteId)) {
    throw new ValidationError('siteId', `"${siteId}" is not a TRANSREG site (${TRANSREG.sites.map((s) => s.id).join(', ')})`);
  }
  const format = single(query, 'format');
  if (format !== undefined && format !== 'json' && format !== 'html') throw new ValidationError('format', `must be json or html, not "${format}"`);
  return {
    ...asOfFrom(query, now),
    ...(disease !== undefined ? { disease: disease as DiseaseCode } : {}),
    ...(siteId !== undefined ? { siteId } : {}),
    ...(format !== undefined ? { format } : {}),
  };
}

/** `GET /exports/sdtm/:domain?format=dataset-json|csv&asOf=` */
export function sdtmQuery(domain: string, query: Record<string, unknown>, now: Date): { domain: SdtmDomain; format: SdtmFormat; asOf: string } {
  // Domain codes are upper case in SDTM; `lb` is asked for often enough to be read as `LB` rather than refused.
  const code = domain.toUpperCase();
  if (!isSdtmDomain(code)) throw new ValidationError('domain', `"${domain}" is not an SDTM domain Vigil exports (${SDTM_DOMAINS.join(', ')})`);
  onlyKnown(query, ['format', 'asOf']);
  const format = single(query, 'format') ?? 'dataset-json';
  if (!(SDTM_FORMATS as readonly string[]).includes(format)) throw new ValidationError('format', `must be ${SDTM_FORMATS.join(' or ')}, not "${format}"`);
  return { domain: code, format: format as SdtmFormat, ...asOfFrom(query, now) };
}
