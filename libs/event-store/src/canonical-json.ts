/**
 * RFC 8785 (JSON Canonicalization Scheme) for JSON values: object keys sorted by UTF-16 code
 * units, no whitespace, strings and numbers as ECMAScript serialises them. Byte-identical to the
 * `canonicalize` package (checked in canonical-json.spec.ts); written here because that package
 * ships ESM only and this code base is CommonJS, and because the audit verifier needs the speed.
 *
 * Lone surrogates are not rejected here: the store refuses them at append (json-form.ts), so
 * no stored value holds one.
 */
export function canonicalJson(value: unknown): string {
  // Fast path: when every object's keys are already in canonical order (as they are in anything
  // the stores read back, since they keep canonical text), the engine's own JSON.stringify writes
  // exactly the RFC 8785 form: same order, same number and string forms.
  if (typeof value === 'object' && value !== null && inCanonicalOrder(value)) return JSON.stringify(value);
  return canonicalForm(value);
}

/** True when JSON.stringify(value) is already its canonical form. */
function inCanonicalOrder(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'string' || typeof value === 'boolean' || value === null || (typeof value === 'number' && Number.isFinite(value));
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!inCanonicalOrder(value[i])) return false;
    return true;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && keys[i - 1] > keys[i]) return false;
    if (!inCanonicalOrder(object[keys[i]])) return false;
  }
  return true;
}

function canonicalForm(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return canonicalString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
      return '' + value; // ECMAScript Number::toString, as RFC 8785 §3.2.2.3 asks; -0 gives "0"
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`a ${typeof value} has no JSON form`);
  }
}

/** Characters JSON.stringify escapes (and surrogates, left to it): anything else is quoted as is. */
// eslint-disable-next-line no-control-regex -- the control characters are the point: JSON.stringify escapes them.
const escaped = /[\u0000-\u001f"\\\ud800-\udfff]/;

export function canonicalString(value: string): string {
  return escaped.test(value) ? JSON.stringify(value) : '"' + value + '"';
}

function canonicalArray(values: unknown[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    const item = values[i];
    if (i > 0) out += ',';
    out += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : canonicalForm(item);
  }
  return out + ']';
}

function canonicalObject(object: Record<string, unknown>): string {
  const toJSON = (object as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return canonicalForm(toJSON.call(object));
  const keys = Object.keys(object);
  if (!isSorted(keys)) keys.sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = object[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    if (!first) out += ',';
    first = false;
    out += canonicalString(key) + ':' + canonicalForm(item);
  }
  return out + '}';
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}
