import { ExpectedVersion } from './event-store';
import { InvalidAppendError, WrongExpectedVersionError } from './errors';

/** Throws WrongExpectedVersionError when a stream at `actual` does not meet `expected`. */
export function checkExpectedVersion(streamId: string, expected: ExpectedVersion, actual: number): void {
  const met = expected === 'any' || (expected === 'no_stream' && actual === 0) || (expected === 'stream_exists' && actual > 0) || expected === actual;
  if (!met) throw new WrongExpectedVersionError(streamId, expected, actual);
}

export function assertExpectedVersion(expected: unknown): asserts expected is ExpectedVersion {
  const valid =
    expected === 'any' ||
    expected === 'no_stream' ||
    expected === 'stream_exists' ||
    (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0);
  if (!valid) {
    throw new InvalidAppendError(`expectedVersion must be a version ≥ 0, 'any', 'no_stream' or 'stream_exists', not ${JSON.stringify(expected)}`);
  }
}
