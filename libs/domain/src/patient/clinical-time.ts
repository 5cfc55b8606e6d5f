import type { PatientEvent } from '../events';

const CLINICAL_TIME_FIELDS = ['enrolledAt', 'administeredAt', 'collectedAt', 'onsetAt'] as const;

/**
 * When what an event records happened clinically: the envelope's `occurredAt`. A correction or a void
 * is about its record, so it takes the record's clinical time (the corrected one), not the time it was
 * entered: replaying "as it was clinically" at a moment then shows the corrected value, while replaying
 * "as Vigil knew it" still shows what was known before the correction (docs/safety-rules.md §6).
 */
export function clinicalTimeOf(event: PatientEvent): string | undefined {
  const data = event.data as unknown as Record<string, unknown>;
  const values = (data.newValues ?? data.oldValues ?? data) as Record<string, unknown>;
  for (const field of CLINICAL_TIME_FIELDS) {
    if (typeof values[field] === 'string') return values[field] as string;
  }
  return undefined;
}
