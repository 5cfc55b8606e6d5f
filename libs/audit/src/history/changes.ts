/** One field a correction changed: old and new values side by side (docs/safety-rules.md §6). */
export interface FieldChange {
  /** Dotted path of the field (`value`, `normalised.value`, `referenceRange.high`). */
  field: string;
  old: unknown;
  new: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The fields whose values differ between `oldValues` and `newValues` of a correction event, read
 * generically: any event data carrying both is a correction. Objects are compared leaf by leaf;
 * a missing value is null.
 */
export function changesOf(data: unknown): FieldChange[] | undefined {
  if (!isObject(data) || !isObject(data.oldValues) || !isObject(data.newValues)) return undefined;
  const before = leaves(data.oldValues as Record<string, Json>);
  const after = leaves(data.newValues as Record<string, Json>);
  const fields = [...new Set([...before.keys(), ...after.keys()])];
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const old = before.get(field) ?? null;
    const next = after.get(field) ?? null;
    if (JSON.stringify(old) !== JSON.stringify(next)) changes.push({ field, old, new: next });
  }
  return changes;
}

function leaves(object: Record<string, Json>, prefix = '', into = new Map<string, Json>()): Map<string, Json> {
  for (const [key, value] of Object.entries(object)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value)) leaves(value as Record<string, Json>, path, into);
    else into.set(path, value);
  }
  return into;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
