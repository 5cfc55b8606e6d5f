import { ChainVerifier } from './chain-verifier';
import { ChainRecord, StoredEvent } from './event-store';
import { canonicalEnvelope } from './hash-chain';
import { chainedLog, resealed } from './testing/chained-log';

function verify(log: StoredEvent[], batchSize = 7) {
  const verifier = new ChainVerifier();
  for (let i = 0; i < log.length; i += batchSize) verifier.feed(log.slice(i, i + batchSize));
  return verifier.finish();
}

/** The log as a store hands it over for verification: each event's hashed text, nothing parsed. */
const recordsOf = (log: StoredEvent[]): ChainRecord[] =>
  log.map((e) => [e.globalPosition, e.streamId, e.streamVersion, e.hash, e.previousHash, canonicalEnvelope(e, e.previousHash)]);

function verifyRecords(log: StoredEvent[], batchSize = 7) {
  const records = recordsOf(log);
  const verifier = new ChainVerifier();
  for (let i = 0; i < records.length; i += batchSize) verifier.feedRecords(records.slice(i, i + batchSize));
  return verifier.finish();
}

/** Index in the log of a stream's event at a version (streams are interleaved round-robin). */
const at = (streams: number, stream: number, version: number) => (version - 1) * streams + stream;

describe('ChainVerifier', () => {
  it('passes an untouched log, counting streams and events', () => {
    expect(verify(chainedLog(3, 10))).toEqual({ ok: true, streams: 3, events: 30, broken: [] });
  });

  it('gives the same report whatever the batch sizes', () => {
    const log = chainedLog(4, 6);
    log[5] = { ...log[5], data: { tampered: true } };
    expect(verify(log, 1)).toEqual(verify(log, 100));
  });

  it('finds an event whose data was changed', () => {
    const log = chainedLog(3, 5);
    const i = at(3, 1, 3);
    log[i] = { ...log[i], data: { ...(log[i].data as object), value: 999 } };

    const report = verify(log);

    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([
      { streamId: 'patient-1', version: 3, globalPosition: log[i].globalPosition, reason: expect.stringMatching(/hash mismatch/) },
    ]);
  });

  it('finds a changed event even when the forger recomputed its hash: the next event no longer links to it', () => {
    const log = chainedLog(2, 4);
    const i = at(2, 0, 2);
    log[i] = resealed({ ...log[i], metadata: { ...log[i].metadata, userId: 'someone-else' } });

    const report = verify(log);

    expect(report.broken).toEqual([
      expect.objectContaining({ streamId: 'patient-0', version: 3, reason: expect.stringMatching(/previousHash does not match/) }),
    ]);
  });

  it('finds an event removed from the middle of a stream', () => {
    const log = chainedLog(2, 5);
    log.splice(at(2, 1, 2), 1);

    const report = verify(log);

    expect(report.broken).toHaveLength(1);
    expect(report.broken[0]).toMatchObject({ streamId: 'patient-1', version: 3 });
    expect(report.broken[0].reason).toMatch(/version gap: version 2 missing/);
    expect(report.broken[0].reason).toMatch(/previousHash does not match/);
  });

  it('finds two events of a stream swapped', () => {
    const log = chainedLog(1, 5);
    [log[1], log[2]] = [log[2], log[1]];

    const report = verify(log);

    expect(report.ok).toBe(false);
    expect(report.broken.map((b) => b.version)).toEqual([3, 2]);
    expect(report.broken[1].reason).toMatch(/inserted or reordered/);
  });

  it('finds an event inserted into a stream, even one sealed with the right hash', () => {
    const log = chainedLog(1, 4);
    const forged = resealed({ ...log[1], eventId: 'f0f0f0f0-0000-4000-8000-000000000000', data: { forged: true } }, log[0].hash);
    log.splice(2, 0, { ...forged, globalPosition: log[1].globalPosition });

    const report = verify(log);

    expect(report.ok).toBe(false);
    expect(report.broken[0]).toMatchObject({ version: 2, reason: expect.stringMatching(/global position .* does not follow/) });
  });

  it('finds events out of global order', () => {
    const log = chainedLog(2, 2);
    [log[0], log[1]] = [log[1], log[0]];

    const report = verify(log);

    expect(report.broken).toEqual([expect.objectContaining({ streamId: 'patient-0', reason: expect.stringMatching(/does not follow/) })]);
  });

  it('reports the head of each stream, to anchor against a truncated tail', () => {
    const log = chainedLog(2, 3);
    const verifier = new ChainVerifier().feed(log);
    expect(verifier.streamHeads().get('patient-1')).toEqual({ version: 3, hash: log[5].hash });
  });

  describe('fed chain records (the hashed texts as stored)', () => {
    const tamperings: [string, (log: StoredEvent[]) => void][] = [
      ['nothing changed', () => undefined],
      ['data changed', (log) => (log[4] = { ...log[4], data: { tampered: true } })],
      ['changed and resealed', (log) => (log[4] = resealed({ ...log[4], metadata: { ...log[4].metadata, userId: 'someone-else' } }))],
      ['an event removed', (log) => log.splice(4, 1)],
      ['two events of a stream swapped', (log) => ([log[1], log[4]] = [log[4], log[1]])],
      ['events out of global order', (log) => ([log[0], log[1]] = [log[1], log[0]])],
      [
        'a forged event inserted',
        (log) => log.splice(5, 0, { ...resealed({ ...log[3], data: { forged: true } }, log[0].hash), globalPosition: log[4].globalPosition }),
      ],
    ];

    it.each(tamperings)('gives the report the parsed events give: %s', (what, tamper) => {
      const log = chainedLog(3, 4);
      tamper(log);
      const report = verifyRecords(log);
      expect(report).toEqual(verify(log));
      expect(report.ok).toBe(what === 'nothing changed');
    });

    it('finds an event whose hashed text differs from its hash, naming its stream and version', () => {
      const log = chainedLog(2, 3);
      const records = recordsOf(log);
      const [position, streamId, version, hash, previousHash, envelope] = records[3];
      records[3] = [position, streamId, version, hash, previousHash, envelope.replace('"data":{', '"data":{ ')];

      const report = new ChainVerifier().feedRecords(records).finish();

      expect(report.broken).toEqual([{ streamId: 'patient-1', version: 2, globalPosition: position, reason: expect.stringMatching(/hash mismatch/) }]);
    });
  });
});
