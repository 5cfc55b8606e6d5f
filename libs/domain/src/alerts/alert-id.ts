import { createHash } from 'node:crypto';

/** Namespace of Vigil's alert ids (a fixed random UUID: changing it would change every alert id). */
export const ALERT_ID_NAMESPACE = '5b0d3c52-7f0e-4c1a-9d3e-2a6f1c9b8e47';

/** RFC 4122 name-based UUID, version 5 (SHA-1 of the namespace bytes followed by the UTF-8 name). */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID namespace: ${namespace}`);
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the alert a triggering event raises for a rule: the same pair always gives the same id, so
 * one lab result crossing one rule raises one alert however often it is delivered or the alerting is
 * replayed (docs/safety-rules.md §7). When one event raises the rule on several subjects (a dose recorded
 * re-judges every later dose; a timer finds several missed doses), the subject is part of the name.
 * The separator cannot appear in a rule id, so names never collide.
 */
export const alertIdFor = (triggeredBy: string, ruleId: string, subject?: string): string =>
  uuidV5(subject === undefined ? `${ruleId}|${triggeredBy}` : `${ruleId}|${triggeredBy}|${subject}`, ALERT_ID_NAMESPACE);
