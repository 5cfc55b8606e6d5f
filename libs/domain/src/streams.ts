/**
 * Stream names, defined once. A patient's clinical events live in `patient-<patientId>`; each alert's events
 * in `alert-<alertId>` (an acknowledgement and a retraction of one alert meet on one stream's version).
 */
export const PATIENT_STREAM_PREFIX = 'patient-';
export const ALERT_STREAM_PREFIX = 'alert-';

export const patientStream = (patientId: string): string => `${PATIENT_STREAM_PREFIX}${patientId}`;
export const alertStream = (alertId: string): string => `${ALERT_STREAM_PREFIX}${alertId}`;

/** The patient id of a patient stream; undefined for any other stream. */
export const patientIdOf = (streamId: string): string | undefined =>
  streamId.startsWith(PATIENT_STREAM_PREFIX) ? streamId.slice(PATIENT_STREAM_PREFIX.length) : undefined;

/** The alert id of an alert stream; undefined for any other stream. */
export const alertIdOf = (streamId: string): string | undefined =>
  streamId.startsWith(ALERT_STREAM_PREFIX) ? streamId.slice(ALERT_STREAM_PREFIX.length) : undefined;
