import { createHash } from 'node:crypto';
import { ValidationError } from '@vigil/domain';
import { canonicalJson, InclusionProof, SignedCheckpoint, StoredEvent } from '@vigil/event-store';
import type { AuditEntry } from '../history/audit-entry';
import type { FieldChange } from '../history/changes';
import type { PatientHistory } from '../history/patient-history';
import { csvRecord } from './csv';

export type ExportFormat = 'csv' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json'];

/** The export's query (`?format=csv|json`, CSV when absent); anything else is a ValidationError naming the parameter. */
export function exportFormatFromQuery(query: Record<string, unknown>): ExportFormat {
  for (const key of Object.keys(query)) {
    if (key !== 'format') throw new ValidationError(key, 'is not an export parameter (use format=csv or format=json)');
  }
  const format = query.format ?? 'csv';
  if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new ValidationError('format', `must be ${EXPORT_FORMATS.join(' or ')}`);
  }
  return format as ExportFormat;
}

/** Who asked for the copy, and when (UTC). */
export interface ExportProvenance {
  exportedAt: string;
  exportedBy: { userId: string; name: string; role: string };
}

/** An inspector's copy: the exact bytes, and their SHA-256 so any later edit of the copy shows. */
export interface HistoryExport {
  body: string;
  contentType: string;
  filename: string;
  /** Hex SHA-256 of `body` in UTF-8: the `X-Vigil-SHA256` header. */
  sha256: string;
}

const CSV_COLUMNS = [
  'patient_id',
  'version',
  'event_id',
  'type',
  'schema_version',
  'occurred_at_utc',
  'recorded_at_utc',
  'recorded_by_user_id',
  'recorded_by_name',
  'recorded_by_role',
  'site_id',
  'summary',
  'reason',
  'changes',
  'corrects_event_id',
  'data_json',
  'hash',
] as const;

/**
 * What makes a JSON export checkable without Vigil (`vigil audit verify-export`): the stored events the
 * entries were made from, the signed checkpoint (the latest, signed at the export when anything was new),
 * and each event's inclusion proof against it.
 */
export interface ExportIntegrity {
  events: readonly StoredEvent[];
  checkpoint: SignedCheckpoint | null;
  /** By event id; an event recorded after the checkpoint has none. */
  proofs: ReadonlyMap<string, InclusionProof>;
}

/** How the JSON export's own digest is taken, said in the file. */
export const EXPORT_DIGEST_METHOD = 'SHA-256 of the RFC 8785 (canonical) JSON of this whole document without its "digest" member';

export function exportHistory(history: PatientHistory, format: ExportFormat, provenance: ExportProvenance, integrity?: ExportIntegrity): HistoryExport {
  const body = format === 'csv' ? historyCsv(history) : historyJson(history, provenance, integrity);
  const stamp = provenance.exportedAt.replace(/[:.]/g, '-');
  return {
    body,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8',
    filename: `${history.patientId}-audit-trail-${stamp}.${format}`,
    sha256: createHash('sha256').update(body, 'utf8').digest('hex'),
  };
}

function historyCsv(history: PatientHistory): string {
  return csvRecord(CSV_COLUMNS) + history.entries.map((entry) => csvRecord(csvRow(history.patientId, entry))).join('');
}

function csvRow(patientId: string, e: AuditEntry): unknown[] {
  return [
    patientId,
    e.version,
    e.eventId,
    e.type,
    e.schemaVersion,
    e.occurredAt,
    e.recordedAt,
    e.recordedBy.userId,
    e.recordedBy.name,
    e.recordedBy.role,
    e.recordedBy.siteId,
    e.summary,
    e.reason,
    e.changes ? changesInWords(e.changes) : '',
    e.correctsEventId,
    JSON.stringify(e.data),
    e.hash,
  ];
}

function changesInWords(changes: FieldChange[]): string {
  return changes.map((c) => `${c.field}: ${JSON.stringify(c.old)} → ${JSON.stringify(c.new)}`).join('; ');
}

/**
 * Each entry carries, besides what a person reads, what its hash covers (streamId, metadata exactly as
 * stored, previousHash), its global position and its inclusion proof; the document carries the signed
 * checkpoint and a digest of itself.
 */
function historyJson(history: PatientHistory, provenance: ExportProvenance, integrity?: ExportIntegrity): string {
  const events = new Map(integrity?.events.map((event) => [event.eventId, event]));
  const entries = history.entries.map((entry) => {
    const event = events.get(entry.eventId);
    if (!event) return entry;
    return {
      ...entry,
      streamId: event.streamId,
      globalPosition: event.globalPosition,
      metadata: event.metadata,
      previousHash: event.previousHash,
      inclusionProof: integrity?.proofs.get(event.eventId) ?? null,
    };
  });
  const document: Record<string, unknown> = { patientId: history.patientId, ...provenance, entries };
  if (integrity) {
    document.checkpoint = integrity.checkpoint;
    document.digest = { method: EXPORT_DIGEST_METHOD, sha256: createHash('sha256').update(canonicalJson(document), 'utf8').digest('hex') };
  }
  return `${JSON.stringify(document, null, 2)}\n`;
}
