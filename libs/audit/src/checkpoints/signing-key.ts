import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { dirname, join } from 'node:path';

/** The Ed25519 key that signs checkpoints. It lives in a file (a mounted secret), never in the database. */
export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKey: AuditPublicKey;
}

/** What a verifier needs: the public key, its PEM (SPKI), and its id. */
export interface AuditPublicKey {
  key: KeyObject;
  pem: string;
  /** Hex SHA-256 of the public key's DER SubjectPublicKeyInfo: `openssl pkey -pubin -in key.pem -outform DER | sha256sum`. */
  keyId: string;
}

/** Where the signing key comes from, or why there is none. */
export type SigningKeySource = { file: string; generate: boolean } | { off: string };

/** The embedded default's key file, in the data directory beside events.sqlite. */
export const GENERATED_KEY_FILE = 'audit-signing-key.pem';

/**
 * VIGIL_AUDIT_SIGNING_KEY_FILE (an Ed25519 private key, PKCS#8 PEM) when set. Otherwise the embedded default
 * (VIGIL_EVENT_STORE unset or sqlite) keeps one in the data directory, generated on first start; a server
 * store (PostgreSQL, EventStoreDB) without a key file signs nothing: every node must share the one key, so
 * no node may invent its own.
 */
export function signingKeySourceFromEnv(env: NodeJS.ProcessEnv, dataDir: string): SigningKeySource {
  const file = env.VIGIL_AUDIT_SIGNING_KEY_FILE?.trim();
  if (file) return { file, generate: false };
  const kind = env.VIGIL_EVENT_STORE?.trim() || 'sqlite';
  if (kind === 'sqlite') return { file: join(dataDir, GENERATED_KEY_FILE), generate: true };
  return { off: `no signing key on ${kind}: set VIGIL_AUDIT_SIGNING_KEY_FILE to an Ed25519 private key (PEM) mounted on every node` };
}

/** Reads the key; with `generate`, makes one first if the file does not exist (and says so through `created`). */
export function loadSigningKey(file: string, options: { generate?: boolean; created?: (file: string) => void } = {}): AuditSigningKey {
  if (!existsSync(file)) {
    if (!options.generate) throw new Error(`VIGIL_AUDIT_SIGNING_KEY_FILE=${file} does not exist`);
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(dirname(file), { recursive: true });
    // Written whole under a name of its own, then linked into place: two threads or processes starting at once do not
    // overwrite each other's key (link fails when the name exists), and the loser never reads a half-written file.
    const draft = `${file}.${process.pid}.${threadId}.${randomUUID()}.tmp`;
    writeFileSync(draft, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(draft, file);
      options.created?.(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file));
  } catch (error) {
    throw new Error(`${file} is not a private key in PEM: ${(error as Error).message}`, { cause: error });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} holds a ${privateKey.asymmetricKeyType} key; checkpoints are signed with Ed25519`);
  return { privateKey, publicKey: publicKeyOf(createPublicKey(privateKey)) };
}

/** A public key given as PEM (SPKI, or the JSON `{publicKey}` Vigil serves), for verifying without Vigil. */
export function parsePublicKey(text: string): AuditPublicKey {
  let pem = text.trim();
  if (pem.startsWith('{')) {
    const parsed = JSON.parse(pem) as { publicKey?: unknown };
    if (typeof parsed.publicKey !== 'string') throw new Error('the JSON given as public key has no "publicKey" PEM');
    pem = parsed.publicKey;
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new Error(`not a public key in PEM: ${(error as Error).message}`, { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the public key is ${key.asymmetricKeyType}, not Ed25519`);
  return publicKeyOf(key);
}

function publicKeyOf(key: KeyObject): AuditPublicKey {
  const der = key.export({ format: 'der', type: 'spki' });
  return { key, pem: key.export({ format: 'pem', type: 'spki' }).toString(), keyId: createHash('sha256').update(der).digest('hex') };
}
