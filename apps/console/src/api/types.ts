import type { components } from './schema';

type Schemas = components['schemas'];

/**
 * An alert as GET /alerts answers it. The alert model grows (statuses such as `closed`, fields such as
 * `closedAt`): a status is any string here, and fields the console does not know are shown as they come.
 */
export type Alert = Omit<Schemas['AlertResponse'], 'status'> & { status: string } & Record<string, unknown>;
export type ProjectionOverview = Schemas['ProjectionResponse'];
export type PatientListItem = Schemas['PatientListItemResponse'];
export type PatientSnapshot = Schemas['PatientSnapshotResponse'];
export type LabView = Schemas['LabViewResponse'];
export type AuditEntry = Schemas['AuditEntryResponse'];
export type AccessLogEntry = Schemas['AccessLogEntryResponse'];
export type ReplayedAlert = Omit<Schemas['ReplayedAlertResponse'], 'status'> & { status: string };
export type PatientSafety = Schemas['PatientSafetyResponse'];
export type StoreVerification = Schemas['StoreVerificationResponse'];
export type ConsoleConfig = Schemas['ConsoleConfigResponse'];
export type DemoUser = Schemas['DemoUserResponse'];
