import { canonicalJson } from './canonical-json';
import { canonicalEnvelope, hashEvent } from './hash-chain';

const envelope = {
  eventId: '6f1c2a3e-9b4d-4c5e-8f70-112233445566',
  streamId: 'patient-TR-0042',
  streamVersion: 3,
  type: 'LabResultRecorded',
  schemaVersion: 1,
  data: { test: 'PLAT', value: 79.9, unit: '10^9/L', note: 'Zoë' },
  metadata: {
    userId: 'u-1',
    role: 'investigator',
    occurredAt: '2024-02-29T09:30:00.000Z',
    recordedAt: '2024-02-29T10:00:00.000Z',
    correlationId: 'c-1',
    commandId: 'cmd-1',
  },
};

describe('hashEvent', () => {
  it('digests the RFC 8785 form of the envelope with its previous hash, and nothing else', () => {
    const withPosition = { ...envelope, globalPosition: 99, hash: 'ignored', previousHash: 'ignored too' };
    expect(canonicalEnvelope(withPosition, 'abc')).toBe(canonicalJson({ ...envelope, previousHash: 'abc' }));
    expect(canonicalEnvelope(envelope, null)).toBe(canonicalJson({ ...envelope, previousHash: null }));
    expect(hashEvent(withPosition, 'abc')).toBe(hashEvent(envelope, 'abc'));
  });

  // The value was computed independently: sha256(canonicalize(envelope)) with the canonicalize package.
  it('keeps the hash of a known envelope: a stored chain stays verifiable across releases', () => {
    expect(hashEvent(envelope, null)).toBe('011e12848b000156e9a510072b8ae6f3fa1988aeae5c8ff40162001f16532eb1');
  });

  it('does not depend on key order', () => {
    const reordered = { ...envelope, data: { unit: '10^9/L', note: 'Zoë', value: 79.9, test: 'PLAT' } };
    expect(hashEvent(reordered, null)).toBe(hashEvent(envelope, null));
  });

  it('changes with any covered field, and with the previous hash', () => {
    const base = hashEvent(envelope, null);
    const variants = [
      { ...envelope, eventId: '6f1c2a3e-9b4d-4c5e-8f70-112233445567' },
      { ...envelope, streamId: 'patient-TR-0043' },
      { ...envelope, streamVersion: 4 },
      { ...envelope, type: 'LabResultCorrected' },
      { ...envelope, schemaVersion: 2 },
      { ...envelope, data: { ...envelope.data, value: 80 } },
      { ...envelope, metadata: { ...envelope.metadata, userId: 'u-2' } },
    ];
    const hashes = new Set([base, ...variants.map((v) => hashEvent(v, null)), hashEvent(envelope, base)]);
    expect(hashes.size).toBe(variants.length + 2);
  });
});
