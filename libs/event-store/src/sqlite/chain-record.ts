/**
 * The columns that read an `events` row, in raw mode, as a `ChainRecord`:
 * [global_position, stream_id, stream_version, hash, previous_hash, envelope].
 *
 * SQLite writes the envelope itself, so `audit verify` gets one string per event to hash and parses
 * no JSON. It must stay byte for byte what `canonicalEnvelope` writes (keys in RFC 8785 order):
 * - data and metadata go in as stored: they are the canonical texts that were hashed, so a stored
 *   text altered even in form only (spaces, key order) no longer matches its hash;
 * - strings go through json_quote, which escapes exactly the characters `canonicalString` escapes,
 *   in the same way (checked for every code point in chain-record.spec.ts), and writes null for
 *   a first event's previous hash;
 * - stream_version and schema_version are INTEGER columns (STRICT table): decimal, as JSON writes them.
 */
export const chainRecordColumns = `global_position, stream_id, stream_version, hash, previous_hash,
  concat(
    '{"data":', data,
    ',"eventId":', json_quote(event_id),
    ',"metadata":', metadata,
    ',"previousHash":', json_quote(previous_hash),
    ',"schemaVersion":', schema_version,
    ',"streamId":', json_quote(stream_id),
    ',"streamVersion":', stream_version,
    ',"type":', json_quote(type),
    '}')`;
