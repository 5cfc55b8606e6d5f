import type { Pool } from 'pg';
import { canonicalJson, canonicalString } from '../canonical-json';
import { hashEvent, HashedEnvelope } from '../hash-chain';

/** Characters a wrong encoding or an escaping slip would change: accents, CJK, emoji, quotes, backslash, controls, U+2028. */
const sample: HashedEnvelope = {
  eventId: '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b',
  streamId: 'patient-Zoë "王" \\ 🧪',
  streamVersion: 12,
  type: 'Odd "type" \\ \u0001',
  schemaVersion: 3,
  data: { note: 'Pélagie 王秀英 مريض 🧪 \u2028 "quoted" \\ back', value: 79.9 },
  metadata: {
    userId: 'u-1',
    role: 'investigator',
    occurredAt: '2024-01-01T00:00:00.000Z',
    recordedAt: '2024-01-01T00:00:01.000Z',
    correlationId: 'c',
    commandId: 'k',
  },
};

/**
 * The database hashes what it appends (append-function.ts, `event_hash`); this checks at start-up that it writes
 * the envelope and digests it exactly as hash-chain.ts does. A database whose encoding is not UTF-8 would not, and
 * every chain it wrote would fail verification: it is refused before a single append. So is a schema whose
 * event_hash was changed by hand.
 */
export async function assertDatabaseHashesAsVigil(pool: Pool, schema: string): Promise<void> {
  const { rows: settings } = await pool.query<{ encoding: string }>(`SELECT current_setting('server_encoding') AS encoding`);
  if (settings[0].encoding !== 'UTF8') {
    throw new Error(`the PostgreSQL event store needs a UTF8 database (this one is ${settings[0].encoding}): it hashes events as UTF-8 text`);
  }
  const previousHash = 'ab'.repeat(32);
  const { rows } = await pool.query<{ hash: string }>(`SELECT ${schema}.event_hash($1, $2, $3, $4, $5, $6, $7, $8) AS hash`, [
    canonicalJson(sample.data),
    sample.eventId,
    canonicalJson(sample.metadata),
    previousHash,
    sample.schemaVersion,
    canonicalString(sample.streamId),
    sample.streamVersion,
    canonicalString(sample.type),
  ]);
  if (rows[0].hash !== hashEvent(sample, previousHash)) throw new Error(`PostgreSQL hashes events differently from Vigil (${schema}.event_hash)`);
}
