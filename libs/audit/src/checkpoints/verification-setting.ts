import { existsSync } from 'node:fs';
import type { CheckpointSetting } from '../verification/verify-store';
import { checkpointConfigFromEnv } from './checkpoint-config';
import { checkpointsInFile } from './checkpoint-file';
import { AuditPublicKey, loadSigningKey } from './signing-key';

/**
 * How a tool outside the server (the CLI) checks checkpoints: under the public key it is given (an
 * inspector's copy, pinned), else the configured signing key's; with the copies in VIGIL_CHECKPOINT_LOG.
 * It never generates a key.
 */
export function checkpointSettingFromEnv(env: NodeJS.ProcessEnv, dataDir: string, publicKey?: AuditPublicKey): CheckpointSetting {
  const config = checkpointConfigFromEnv(env, dataDir);
  const outside = config.file ? checkpointsInFile(config.file) : [];
  if (publicKey) return { key: publicKey, outside };
  const source = config.signingKey;
  if ('off' in source) return { off: source.off };
  if (!existsSync(source.file)) {
    return {
      off:
        `the audit signing key ${source.file} is missing (VIGIL_AUDIT_SIGNING_KEY_FILE; the embedded default generates it at its first start): ` +
        'restore it, or give the public key you kept with --public-key',
    };
  }
  return { key: loadSigningKey(source.file).publicKey, outside };
}
