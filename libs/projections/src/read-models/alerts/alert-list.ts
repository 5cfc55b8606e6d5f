import { ValidationError } from '@vigil/domain';
import type { AlertStatus } from '@vigil/domain';
import type { ReadModelDatabase } from '../../engine/read-model-database';
import type { ReadModelSql } from '../../store/read-model-store';
import { ALERT_LIST } from './alert-list.projection';
import type { AlertUpdateView, AlertView } from './alert-view';

export interface AlertFilter {
  status?: AlertStatus;
  patientId?: string;
  siteId?: string;
  ruleId?: string;
  severity?: string;
  /** Only alerts of these sites (an investigator's); undefined means every site. */
  sites?: readonly string[];
  /** 1–500, default 50. */
  limit?: number;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface AlertPage {
  items: AlertView[];
  /** Present when more alerts follow. */
  nextCursor?: string;
}

interface AlertRow {
  alert_id: string;
  raised_position: number;
  patient_id: string;
  site_id: string;
  rule_id: string;
  status: AlertStatus;
  escalated: number;
  escalated_at: string | null;
  triggered_by: string;
  subject: string | null;
  value: number | null;
  unit: string | null;
  normalised_value: number | null;
  normalised_unit: string | null;
  threshold: number | null;
  threshold_unit: string | null;
  grade: number | null;
  severity: AlertView['severity'];
  message: string;
  raised_at: string;
  open_since: string;
  occurred_at: string;
  deadline: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  acknowledged_by_name: string | null;
  acknowledgement_note: string | null;
  retracted_at: string | null;
  retracted_by: string | null;
  retraction_reason: string | null;
  closed_at: string | null;
  reported_at: string | null;
  late: number | null;
  report_reference: string | null;
  updates: string;
}

const optional = <K extends string, V>(key: K, value: V | null): { [P in K]?: V } => (value === null ? {} : ({ [key]: value } as { [P in K]: V }));

function toView(row: AlertRow): AlertView {
  return {
    alertId: row.alert_id,
    patientId: row.patient_id,
    siteId: row.site_id,
    ruleId: row.rule_id,
    status: row.status,
    escalated: row.escalated === 1,
    ...optional('escalatedAt', row.escalated_at),
    triggeredBy: row.triggered_by,
    ...optional('subject', row.subject),
    value: row.value,
    unit: row.unit,
    normalisedValue: row.normalised_value,
    normalisedUnit: row.normalised_unit,
    threshold: row.threshold,
    thresholdUnit: row.threshold_unit,
    grade: row.grade,
    severity: row.severity,
    message: row.message,
    raisedAt: row.raised_at,
    openSince: row.open_since,
    occurredAt: row.occurred_at,
    ...optional('deadline', row.deadline),
    ...optional('acknowledgedAt', row.acknowledged_at),
    ...optional('acknowledgedBy', row.acknowledged_by),
    ...optional('acknowledgedByName', row.acknowledged_by_name),
    ...optional('acknowledgementNote', row.acknowledgement_note),
    ...optional('retractedAt', row.retracted_at),
    ...optional('retractedBy', row.retracted_by),
    ...optional('retractionReason', row.retraction_reason),
    ...optional('closedAt', row.closed_at),
    ...optional('reportedAt', row.reported_at),
    ...(row.late === null ? {} : { late: row.late === 1 }),
    ...optional('reportReference', row.report_reference),
    updates: JSON.parse(row.updates) as AlertUpdateView[],
  };
}

const encodeCursor = (position: number): string => Buffer.from(`p${position}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const match = /^p(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationError('cursor', 'is not a cursor this API returned (use nextCursor of the previous page)');
  return Number(match[1]);
}

/**
 * Queries on the live alert list, newest first. Each runs in one read snapshot (the live build's name
 * and its rows together), so a build switched live meanwhile by another process is never half seen.
 */
export class AlertList {
  constructor(private readonly db: ReadModelDatabase) {}

  find(filter: AlertFilter = {}): Promise<AlertPage> {
    const limit = filter.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError('limit', 'must be a whole number from 1 to 500');
    const before = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
    return this.db.read((sql) => this.page(sql, filter, limit, before));
  }

  private async page(sql: ReadModelSql, filter: AlertFilter, limit: number, before: number | undefined): Promise<AlertPage> {
    const table = await this.db.liveTable(ALERT_LIST, 'alerts', sql);
    if (!table) return { items: [] };
    const where: string[] = [];
    const params: unknown[] = [];
    const equals = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      params.push(value);
    };
    equals('status', filter.status);
    equals('patient_id', filter.patientId);
    equals('site_id', filter.siteId);
    equals('rule_id', filter.ruleId);
    equals('severity', filter.severity);
    if (filter.sites) {
      if (filter.sites.length === 0) return { items: [] };
      where.push(`site_id IN (${filter.sites.map(() => '?').join(', ')})`);
      params.push(...filter.sites);
    }
    if (before !== undefined) {
      where.push('raised_position < ?');
      params.push(before);
    }
    const query = `SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_position DESC LIMIT ?`;
    const rows = await sql.all<AlertRow>(query, [...params, limit + 1]);
    const page = rows.slice(0, limit);
    return {
      items: page.map(toView),
      ...(rows.length > limit ? { nextCursor: encodeCursor(page[page.length - 1].raised_position) } : {}),
    };
  }

  get(alertId: string): Promise<AlertView | undefined> {
    return this.db.read(async (sql) => {
      const table = await this.db.liveTable(ALERT_LIST, 'alerts', sql);
      if (!table) return undefined;
      const row = await sql.get<AlertRow>(`SELECT * FROM ${table} WHERE alert_id = ?`, [alertId]);
      return row && toView(row);
    });
  }

  /** Open alerts of a patient, newest first. */
  openFor(patientId: string): Promise<AlertView[]> {
    return this.db.read(async (sql) => {
      const table = await this.db.liveTable(ALERT_LIST, 'alerts', sql);
      if (!table) return [];
      const rows = await sql.all<AlertRow>(`SELECT * FROM ${table} WHERE patient_id = ? AND status = 'open' ORDER BY raised_position DESC`, [patientId]);
      return rows.map(toView);
    });
  }

  /**
   * Alerts that may still escalate (docs/safety-rules.md §7): open and not escalated, or (a reporting clock
   * runs until its report closes it) acknowledged with a deadline and not escalated. escalationDueAt says when.
   */
  escalationCandidates(limit = 1000): Promise<AlertView[]> {
    return this.db.read(async (sql) => {
      const table = await this.db.liveTable(ALERT_LIST, 'alerts', sql);
      if (!table) return [];
      const rows = await sql.all<AlertRow>(
        `SELECT * FROM ${table} WHERE escalated = 0 AND (status = 'open' OR (status = 'acknowledged' AND deadline IS NOT NULL))
         ORDER BY raised_position LIMIT ?`,
        [limit],
      );
      return rows.map(toView);
    });
  }
}
