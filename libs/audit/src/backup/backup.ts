import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { backupSqliteFile, createSqliteEventStore, SignedCheckpoint, sqliteStoreFacts } from '@vigil/event-store';
import type { WitnessedCheckpoint } from '../checkpoints/checkpoint-check';
import { AuditPublicKey, parsePublicKey } from '../checkpoints/signing-key';
import { StoreVerification, verifyStore } from '../verification/verify-store';

/** The embedded stores a backup holds, in the order they are copied: derived stores first, the log last. */
export type StoreRole = 'outbox' | 'read-models' | 'event-store';
export const STORE_ROLES: readonly StoreRole[] = ['outbox', 'read-models', 'event-store'];
const FILE_NAMES: Record<StoreRole, string> = { outbox: 'notifier.sqlite', 'read-models': 'projections.sqlite', 'event-store': 'events.sqlite' };

export const MANIFEST = 'manifest.json';

export interface BackupManifest {
  format: 'vigil-backup-v1';
  createdAt: string;
  files: { name: string; role: StoreRole; bytes: number; sha256: string }[];
  /** The event log as copied: its last global position and schema version. */
  log: { headPosition: number; schemaVersion: number };
  lastCheckpoint: SignedCheckpoint | null;
  /** The public key that signs the checkpoints; the private key is never in a backup. */
  publicKey: { keyId: string; pem: string } | null;
  note: string;
}

/**
 * An online backup of the embedded stores into `dir` (new or empty): each SQLite file copied with the
 * backup API while Vigil keeps running; the read models and the notifier outbox before the event log,
 * so that no position they record is ahead of the log restored with them. The manifest lists each file
 * with its size and SHA-256, the log's head, its last signed checkpoint and the public key.
 */
export async function backupStores(stores: Partial<Record<StoreRole, string>>, dir: string, publicKey: AuditPublicKey | null): Promise<BackupManifest> {
  if (!stores['event-store']) throw new Error('a backup needs the event store file');
  assertEmptyDirectory(dir, 'the backup directory');
  mkdirSync(dir, { recursive: true });
  const copied: { name: string; role: StoreRole }[] = [];
  for (const role of STORE_ROLES) {
    const source = stores[role];
    if (!source || !existsSync(source)) continue;
    await backupSqliteFile(source, join(dir, FILE_NAMES[role]));
    copied.push({ name: FILE_NAMES[role], role });
  }
  const { lastCheckpoint, ...log } = sqliteStoreFacts(join(dir, FILE_NAMES['event-store']));
  const files: BackupManifest['files'] = [];
  for (const { name, role } of copied) files.push({ name, role, bytes: statSync(join(dir, name)).size, sha256: await sha256Of(join(dir, name)) });
  const manifest: BackupManifest = {
    format: 'vigil-backup-v1',
    createdAt: new Date().toISOString(),
    files,
    log,
    lastCheckpoint,
    publicKey: publicKey ? { keyId: publicKey.keyId, pem: publicKey.pem } : null,
    note: 'The audit signing key (private) is never in a backup: restore it from where it is kept (a secret store), or set VIGIL_AUDIT_SIGNING_KEY_FILE.',
  };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export interface RestoreReport {
  manifest: BackupManifest;
  verification: StoreVerification;
  /** Each thing that does not hold (files, head, checkpoint, verification); empty when the restore is good. */
  problems: string[];
  /** What an operator should know all the same (checkpoints published after the backup). */
  notes: string[];
}

/**
 * Restores a backup into empty places (`targets`, one file per store), after checking each file against
 * the manifest, then runs the full verification of the restored log: hash chains, and every checkpoint
 * under the manifest's public key (and the copies outside the database, when given).
 */
export async function restoreStores(dir: string, targets: Record<StoreRole, string>, outside: WitnessedCheckpoint[] = []): Promise<RestoreReport> {
  const manifestFile = join(dir, MANIFEST);
  if (!existsSync(manifestFile)) throw new Error(`${dir} holds no ${MANIFEST}: it is not a Vigil backup`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest;
  if (manifest.format !== 'vigil-backup-v1') throw new Error(`${manifestFile} is not a Vigil backup manifest (format ${String(manifest.format)})`);
  for (const role of STORE_ROLES) {
    if (existsSync(targets[role])) throw new Error(`${targets[role]} already exists: restore only into an empty data directory`);
  }
  for (const file of manifest.files) {
    const path = join(dir, file.name);
    if (!existsSync(path)) throw new Error(`${file.name} is listed in the manifest but missing from ${dir}`);
    if (statSync(path).size !== file.bytes || (await sha256Of(path)) !== file.sha256) {
      throw new Error(`${file.name} does not match its SHA-256 in the manifest: the backup was changed or damaged`);
    }
  }
  for (const file of manifest.files) {
    mkdirSync(dirname(targets[file.role]), { recursive: true });
    copyFileSync(join(dir, file.name), targets[file.role]);
  }
  const problems: string[] = [];
  const notes: string[] = [];
  const store = await createSqliteEventStore({ file: targets['event-store'] });
  let verification: StoreVerification;
  try {
    const head = await store.headPosition();
    if (head !== manifest.log.headPosition) problems.push(`the restored log's head is ${head}, the manifest says ${manifest.log.headPosition}`);
    const latest = (await store.checkpoints?.latest()) ?? null;
    if (JSON.stringify(latest) !== JSON.stringify(manifest.lastCheckpoint)) problems.push("the restored log's last checkpoint is not the manifest's");
    // Copies published after the backup was taken cover events it cannot hold: said, not counted against it.
    const within = outside.filter((copy) => copy.checkpoint.treeSize <= manifest.log.headPosition);
    const later = outside.length - within.length;
    if (later > 0) notes.push(`${later} checkpoint(s) published after this backup cover events it does not hold: they are lost with this restore`);
    const checkpoints = manifest.publicKey
      ? { key: parsePublicKey(manifest.publicKey.pem), outside: within }
      : { off: 'the backup names no public key (checkpoints were off when it was taken)' };
    verification = await verifyStore(store, { checkpoints });
  } finally {
    await store.close();
  }
  if (!verification.ok) problems.push(`the restored audit trail does not verify: ${describe(verification)}`);
  return { manifest, verification, problems, notes };
}

function describe(report: StoreVerification): string {
  const chains = report.broken.map((b) => `${b.streamId} version ${b.version}: ${b.reason}`);
  return [...chains, ...(report.checkpoints.ok ? [] : [report.checkpoints.message])].join('; ');
}

function assertEmptyDirectory(dir: string, what: string): void {
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) throw new Error(`${what} ${dir} must be new or empty`);
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
