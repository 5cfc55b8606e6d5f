import { canonicalJson } from './canonical-json';
import { InvalidAppendError } from './errors';

/** A value as it will be stored: its canonical JSON text (RFC 8785) and the value that text reads back as. */
export interface JsonForm {
  text: string;
  value: unknown;
}

const loneSurrogate = /\p{Cs}/u;

/**
 * Turns a value into the exact form the store keeps, so the event handed back by `append` equals
 * the event every later read returns, and the hash covers what is on disk. Refuses what JSON would
 * change without a word: NaN and ±Infinity (become null), lone surrogates (not encodable in UTF-8),
 * bigint (not JSON at all).
 */
export function jsonForm(value: unknown, what: string): JsonForm {
  const guard = (key: string, item: unknown): unknown => {
    if (typeof item === 'number' && !Number.isFinite(item)) {
      throw new InvalidAppendError(`${what}${key ? `.${key}` : ''} is ${item}, which JSON cannot hold`);
    }
    if (typeof item === 'string' && loneSurrogate.test(item)) {
      throw new InvalidAppendError(`${what}${key ? `.${key}` : ''} holds a lone UTF-16 surrogate`);
    }
    if (loneSurrogate.test(key)) throw new InvalidAppendError(`${what} has a key with a lone UTF-16 surrogate`);
    return item;
  };
  let text: string | undefined;
  try {
    text = JSON.stringify(value, guard);
  } catch (error) {
    if (error instanceof InvalidAppendError) throw error;
    throw new InvalidAppendError(`${what} cannot be stored as JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw new InvalidAppendError(`${what} is missing or not a JSON value`);
  // Stored in canonical form: the bytes on disk are the bytes the hash covers, and reads come back
  // with keys in canonical order, which keeps verification on its fast path.
  const canonical = canonicalJson(JSON.parse(text));
  return { text: canonical, value: JSON.parse(canonical) };
}
