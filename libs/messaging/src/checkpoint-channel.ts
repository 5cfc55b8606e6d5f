import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SignedCheckpoint } from '@vigil/event-store';
import type { DeliveryReceipt } from './alert-channel';
import { CHECKPOINT_SIGNED, checkpointMessageBody } from './checkpoint-message';
import { postSigned, WebhookChannelOptions } from './webhook-channel';

/**
 * Where signed checkpoints go so that a copy lives outside the database: a plain file, the webhook,
 * a Kafka topic of their own. Published at least once, in tree-size order, per channel; receivers
 * deduplicate by (keyId, treeSize).
 */
export interface CheckpointChannel {
  /** Stable: it keys the channel's publication cursor. */
  readonly name: string;
  publish(checkpoint: SignedCheckpoint): Promise<DeliveryReceipt | void>;
  close?(): Promise<void>;
}

/** Appends each checkpoint as one JSON line to a file (VIGIL_CHECKPOINT_LOG), fsynced before it counts as published. */
export class FileCheckpointChannel implements CheckpointChannel {
  readonly name = 'file';

  constructor(private readonly file: string) {
    if (!file) throw new Error('a checkpoint file channel needs a file');
  }

  async publish(checkpoint: SignedCheckpoint): Promise<DeliveryReceipt> {
    mkdirSync(dirname(this.file), { recursive: true });
    const fd = openSync(this.file, 'a', 0o644);
    try {
      writeSync(fd, `${checkpointMessageBody(checkpoint)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return { detail: this.file };
  }
}

/** POSTs each checkpoint to the alert webhook, signed the same way (X-Vigil-Signature), typed by X-Vigil-Event-Type: CheckpointSigned. */
export class WebhookCheckpointChannel implements CheckpointChannel {
  readonly name = 'webhook';

  constructor(private readonly options: WebhookChannelOptions) {
    if (!options.secret) throw new Error('a webhook channel needs a signing secret');
  }

  publish(checkpoint: SignedCheckpoint): Promise<DeliveryReceipt> {
    return postSigned(this.name, this.options, checkpointMessageBody(checkpoint), {
      'X-Vigil-Event-Type': CHECKPOINT_SIGNED,
      'X-Vigil-Checkpoint': `${checkpoint.keyId}/${checkpoint.treeSize}`,
    });
  }
}
