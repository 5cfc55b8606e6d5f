import type { RecordedEntry } from '@vigil/domain';
import type { LabView, PatientSnapshot } from './replay-patient-at';

/**
 * The UTF-8 JSON of the values an event recorded (a record's `original`, or a correction's new
 * values), written once per value: they come from stored events, which never change, and a long
 * patient's replay shows every one of them at every request. Weak: gone with the events they belong to.
 */
const recordedValuesJson = new WeakMap<object, Buffer>();

/** Fields of a record as the fold writes them (RecordedEntry), `voidReason` when voided; a lab view adds two. */
const ENTRY_FIELDS = 6;
const LAB_VIEW_FIELDS = ENTRY_FIELDS + 2;

/**
 * The snapshot as UTF-8 JSON, the same text JSON.stringify writes (same fields, same order), sooner:
 * the recorded values of each record (a 10 000-result patient is some 7 MB of them) are encoded once
 * per stored event, not at every replay; grades, rule hits and everything else are written afresh.
 * A record with fields this writer does not know is written by JSON.stringify. The recorded values
 * must never be changed once written (they are the events'). snapshot-json.spec.ts checks the text.
 */
export function snapshotJson(snapshot: PatientSnapshot): Buffer {
  const out = new JsonBytes();
  let first = true;
  for (const key of Object.keys(snapshot) as (keyof PatientSnapshot)[]) {
    const records = key === 'labs' || key === 'doses' || key === 'adverseEvents';
    const json = records ? '' : (JSON.stringify(snapshot[key]) as string | undefined);
    if (json === undefined) continue;
    out.text(`${first ? '{' : ','}${JSON.stringify(key)}:${json}`);
    first = false;
    if (key === 'labs') recordsJson(out, snapshot.labs, LAB_VIEW_FIELDS, labViewJson);
    else if (records) recordsJson(out, snapshot[key], ENTRY_FIELDS, entryJson);
  }
  out.text(first ? '{}' : '}');
  return out.bytes();
}

function recordsJson<R extends RecordedEntry<unknown>>(out: JsonBytes, records: readonly R[], fields: number, recordJson: (out: JsonBytes, record: R) => void): void {
  out.text('[');
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (i > 0) out.text(',');
    if (isKnownShape(record, fields)) recordJson(out, record);
    else out.text(JSON.stringify(record));
  }
  out.text(']');
}

/** A record with the fields this writer writes, and no other, each one there (JSON.stringify leaves out an undefined one). */
function isKnownShape(record: RecordedEntry<unknown> & Partial<Pick<LabView, 'grade' | 'ruleHits'>>, fields: number): boolean {
  const count = fields + (record.voidReason === undefined ? 0 : 1);
  return (
    Object.keys(record).length === count &&
    typeof record.eventId === 'string' &&
    isObject(record.original) &&
    isObject(record.current) &&
    typeof record.voided === 'boolean' &&
    Array.isArray(record.corrections) &&
    typeof record.recordedSeq === 'number' &&
    (record.voidReason === undefined || typeof record.voidReason === 'string') &&
    (fields === ENTRY_FIELDS || (record.grade !== undefined && Array.isArray(record.ruleHits)))
  );
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** In the order the fold writes a record's fields (patient-fold.ts): the void reason comes last. */
function entryJson(out: JsonBytes, entry: RecordedEntry<unknown>): void {
  entryFieldsJson(out, entry);
  out.text('}');
}

function labViewJson(out: JsonBytes, view: LabView): void {
  entryFieldsJson(out, view);
  out.text(`,"grade":${JSON.stringify(view.grade)},"ruleHits":${view.ruleHits.length === 0 ? '[]' : JSON.stringify(view.ruleHits)}}`);
}

/**
 * A record never corrected nor voided is written as it was the last time, in one piece: what its JSON
 * says up to `recordedSeq` is all the recording event's. Anything else is written field by field.
 */
interface UnchangedRecordJson {
  eventId: string;
  recordedSeq: number;
  json: Buffer;
}
const unchangedRecordsJson = new WeakMap<object, UnchangedRecordJson>();

function entryFieldsJson(out: JsonBytes, entry: RecordedEntry<unknown>): void {
  const unchanged = entry.current === entry.original && !entry.voided && entry.corrections.length === 0 && entry.voidReason === undefined;
  const values = entry.original as object;
  if (unchanged) {
    const known = unchangedRecordsJson.get(values);
    if (known !== undefined && known.eventId === entry.eventId && known.recordedSeq === entry.recordedSeq) return out.append(known.json);
    const start = out.size;
    entryFieldsJsonOneByOne(out, entry, false);
    unchangedRecordsJson.set(values, { eventId: entry.eventId, recordedSeq: entry.recordedSeq, json: Buffer.from(out.since(start)) });
    return;
  }
  entryFieldsJsonOneByOne(out, entry);
}

/** `keep`: keep the text of the recorded values for the next time (not needed when the whole record's is kept). */
function entryFieldsJsonOneByOne(out: JsonBytes, entry: RecordedEntry<unknown>, keep = true): void {
  out.text(`{"eventId":${JSON.stringify(entry.eventId)},"original":`);
  recordedJson(out, entry.original as object, keep);
  out.text(',"current":');
  recordedJson(out, entry.current as object, keep);
  out.text(
    `,"voided":${entry.voided},"corrections":${entry.corrections.length === 0 ? '[]' : JSON.stringify(entry.corrections)}` +
      `,"recordedSeq":${JSON.stringify(entry.recordedSeq)}` +
      (entry.voidReason === undefined ? '' : `,"voidReason":${JSON.stringify(entry.voidReason)}`),
  );
}

function recordedJson(out: JsonBytes, values: object, keep: boolean): void {
  const json = recordedValuesJson.get(values);
  if (json !== undefined) return out.append(json);
  if (!keep) return out.text(JSON.stringify(values));
  const written = Buffer.from(JSON.stringify(values));
  recordedValuesJson.set(values, written);
  out.append(written);
}

let lastLength = 0;

/** A growing UTF-8 buffer. */
class JsonBytes {
  private buffer = Buffer.allocUnsafe(Math.max(64 * 1024, lastLength + 1024));
  private length = 0;

  text(text: string): void {
    this.reserve(text.length * 3);
    this.length += this.buffer.write(text, this.length);
  }

  append(bytes: Buffer): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  get size(): number {
    return this.length;
  }

  /** The bytes written from `start` on (a view: copy it to keep it). */
  since(start: number): Buffer {
    return this.buffer.subarray(start, this.length);
  }

  /** The JSON written: the next snapshot starts with room for as much. */
  bytes(): Buffer {
    lastLength = this.length;
    return this.buffer.subarray(0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const larger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }
}
