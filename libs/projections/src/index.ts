// The projection engine: runners, builds, blue/green rebuilds, the read-model database, read-your-writes.
export * from './engine/projection';
export * from './engine/projection-build';
export * from './engine/projection-errors';
export * from './engine/rebuild-job';
export * from './engine/projection-runner';
export * from './engine/projector';
export * from './engine/read-model-database';
export * from './engine/read-model-progress';
export * from './engine/read-model-status';
export * from './engine/rebuild-to-completion';
// The read-model store: the port, its adapters (SQLite, PostgreSQL), configuration, leases.
export * from './store/create-read-model-store';
export * from './store/read-model-store';
export * from './store/sqlite-read-model-store';
export * from './leadership/lease';
// The read models it runs: the alert list and the patients' safety overview.
export * from './read-models/alerts/alert-list';
export * from './read-models/alerts/alert-list.projection';
export * from './read-models/alerts/alert-view';
export * from './read-models/patients/patient-overview';
export * from './read-models/patients/patient-overview.projection';
export * from './read-models/read-models';
export * from './read-models/read-models.module';
