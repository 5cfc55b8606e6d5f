/** An `If-Match` header named a version the stream is no longer at. */
export class VersionMismatchError extends Error {
  readonly code = 'VERSION_MISMATCH';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(`If-Match expected version ${expectedVersion} but the record is at version ${currentVersion}`);
  }
}
