import type { RebuildProgress } from './rebuild-job';

export class UnknownProjectionError extends Error {
  readonly code = 'UNKNOWN_PROJECTION';
  constructor(
    readonly projection: string,
    readonly known: readonly string[],
  ) {
    super(`no projection named "${projection}"; projections: ${known.join(', ')}`);
    this.name = 'UnknownProjectionError';
  }
}

/** One rebuild of a projection at a time: the one running is named, with its progress. */
export class RebuildAlreadyRunningError extends Error {
  readonly code = 'REBUILD_ALREADY_RUNNING';
  constructor(
    readonly projection: string,
    readonly running: RebuildProgress | null,
  ) {
    super(
      running
        ? `a rebuild of ${projection} is already running (job ${running.jobId}, at ${running.done} of ${running.total})`
        : `${projection} is already being built beside its live build (a new version catching up)`,
    );
    this.name = 'RebuildAlreadyRunningError';
  }
}

/**
 * The projection of that name; URLs and command lines may spell it in kebab-case (`alert-list` for
 * `alert_list`).
 */
export function projectionNamed<P extends { name: string }>(projections: readonly P[], name: string): P {
  const wanted = name.trim().replace(/-/g, '_');
  const found = projections.find((projection) => projection.name === wanted);
  if (!found)
    throw new UnknownProjectionError(
      name,
      projections.map((projection) => projection.name),
    );
  return found;
}
