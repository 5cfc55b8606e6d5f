import { Logger } from '@nestjs/common';
import type { CheckpointLog } from '@vigil/event-store';
import { retryDelayMs } from './alert-notifier';
import type { CheckpointChannel } from './checkpoint-channel';

export interface CheckpointPublisherOptions {
  /** First retry delay after a failed publication; doubles per attempt (default 1 s). */
  retryBaseMs?: number;
  /** Longest delay between two attempts (default 5 min). Retries never stop. */
  retryMaxMs?: number;
  /** How often a channel looks for checkpoints another node stored (default 5 s). */
  pollMs?: number;
}

/**
 * Sends every stored checkpoint through each channel, in tree-size order, at least once: a channel's
 * cursor (how far it published) is kept beside the checkpoints and moved only after the receiver has
 * the message, so a crash in between sends that checkpoint again. A failing channel retries with
 * exponential backoff and holds back no other channel.
 */
export class CheckpointPublisher {
  private readonly logger = new Logger('CheckpointPublisher');
  private readonly workers: ChannelWorker[];

  constructor(
    private readonly log: CheckpointLog,
    channels: CheckpointChannel[],
    options: CheckpointPublisherOptions = {},
  ) {
    if (new Set(channels.map((c) => c.name)).size !== channels.length) throw new Error('checkpoint channel names must be unique');
    this.workers = channels.map((channel) => new ChannelWorker(log, channel, options, this.logger));
  }

  get channelNames(): string[] {
    return this.workers.map((worker) => worker.channel.name);
  }

  start(): void {
    for (const worker of this.workers) worker.start();
  }

  /** A checkpoint was stored: publish it now. */
  notify(): void {
    for (const worker of this.workers) worker.wake();
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }
}

class ChannelWorker {
  private running = false;
  private timer?: NodeJS.Timeout;
  private pass: Promise<void> = Promise.resolve();
  private failures = 0;

  constructor(
    private readonly log: CheckpointLog,
    readonly channel: CheckpointChannel,
    private readonly options: CheckpointPublisherOptions,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  start(): void {
    this.running = true;
    this.wake();
  }

  wake(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pass = this.pass.then(() => this.publishDue());
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass;
    await this.channel.close?.();
  }

  private async publishDue(): Promise<void> {
    if (!this.running) return;
    let delay = this.options.pollMs ?? 5_000;
    try {
      for (;;) {
        const after = await this.log.publishedUpTo(this.channel.name);
        const due = await this.log.list(after, 100);
        if (due.length === 0 || !this.running) break;
        for (const checkpoint of due) {
          if (!this.running) return;
          await this.channel.publish(checkpoint);
          await this.log.markPublished(this.channel.name, checkpoint.treeSize);
        }
      }
      this.failures = 0;
    } catch (error) {
      this.failures++;
      delay = retryDelayMs(this.failures, this.options.retryBaseMs ?? 1_000, this.options.retryMaxMs ?? 300_000);
      this.logger.warn(`publishing checkpoints on ${this.channel.name} failed (attempt ${this.failures}, next in ${delay} ms): ${(error as Error).message}`);
    }
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref?.();
  }
}
