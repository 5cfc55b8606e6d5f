import type { ReadModelDatabase } from '../../engine/read-model-database';
import { PATIENT_OVERVIEW } from './patient-overview.projection';

export interface PatientOverview {
  patientId: string;
  siteId: string;
  disease: string;
  enrolledAt: string;
  treatmentStatus: string;
  treatmentStatusSince?: string;
  dosesGiven: number;
}

interface OverviewRow {
  patient_id: string;
  site_id: string;
  disease: string;
  enrolled_at: string;
  treatment_status: string;
  treatment_status_since: string | null;
  doses_given: number;
}

/** Queries on the live patients' overview, in one read snapshot each. */
export class PatientOverviews {
  constructor(private readonly db: ReadModelDatabase) {}

  /** Enrolled patients of a site (or every site), optionally of one disease, by patient id. */
  list(filter: { siteId?: string; disease?: string; sites?: readonly string[] } = {}): Promise<PatientOverview[]> {
    return this.db.read(async (sql) => {
      const table = await this.db.liveTable(PATIENT_OVERVIEW, 'patients', sql);
      if (!table) return [];
      const where: string[] = [];
      const params: string[] = [];
      for (const [column, value] of [
        ['site_id', filter.siteId],
        ['disease', filter.disease],
      ] as const) {
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        params.push(value);
      }
      const rows = await sql.all<OverviewRow>(`SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY patient_id`, params);
      return rows.filter((row) => !filter.sites || filter.sites.includes(row.site_id)).map(toOverview);
    });
  }
}

const toOverview = (row: OverviewRow): PatientOverview => ({
  patientId: row.patient_id,
  siteId: row.site_id,
  disease: row.disease,
  enrolledAt: row.enrolled_at,
  treatmentStatus: row.treatment_status,
  ...(row.treatment_status_since ? { treatmentStatusSince: row.treatment_status_since } : {}),
  dosesGiven: row.doses_given,
});
