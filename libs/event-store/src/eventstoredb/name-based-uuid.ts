import { createHash } from 'node:crypto';

/** Vigil's namespace for name-based event ids (RFC 9562 §5.5, UUID version 5). */
const vigilNamespace = Buffer.from('5b0d3f6e8a2c4e1f9d7b3a6c2e8f1d40', 'hex');

/**
 * The same name always gives the same UUID: an event id derived from its command id and index,
 * so a command sent again after a lost answer carries the same event ids (EventStoreDB idempotency).
 */
export function nameBasedUuid(name: string): string {
  const bytes = createHash('sha1').update(vigilNamespace).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
