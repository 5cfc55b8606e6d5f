import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { CheckpointLog, EVENT_STORE, EventStore, SignedCheckpoint } from '@vigil/event-store';
import {
  CheckpointChannel,
  CheckpointPublisher,
  FileCheckpointChannel,
  KafkaChannelOptions,
  KafkaCheckpointChannel,
  WebhookChannelOptions,
  WebhookCheckpointChannel,
} from '@vigil/messaging';
import { CheckpointSetting, StoreVerification, verifyStore } from '../verification/verify-store';
import { CheckpointConfig, checkpointConfigFromEnv } from './checkpoint-config';
import { checkpointsInFile } from './checkpoint-file';
import { Checkpointer } from './checkpointer';
import { AuditPublicKey, AuditSigningKey, loadSigningKey } from './signing-key';

export interface CheckpointsModuleOptions {
  env: NodeJS.ProcessEnv;
  /** VIGIL_DATA_DIR as the application resolved it: where the embedded default keeps its key. */
  dataDir: string;
  /** Run the checkpointer in this process (default true): the one writer of checkpoints. */
  run?: boolean;
  /** The alert webhook (VIGIL_ALERT_WEBHOOK_URL and secret), when configured: checkpoints are published there too. */
  webhook?: WebhookChannelOptions;
  /** The Kafka connection (VIGIL_KAFKA_BROKERS…), when configured: checkpoints go to VIGIL_KAFKA_CHECKPOINT_TOPIC. */
  kafka?: KafkaChannelOptions;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

const CHECKPOINTS_OPTIONS = Symbol('CHECKPOINTS_OPTIONS');

/** No checkpoint covers what an export includes, and this node cannot sign one (it has no signing key): answered 503. */
export class CheckpointUnavailableError extends Error {
  readonly code = 'CHECKPOINT_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointUnavailableError';
  }
}

/**
 * Signed checkpoints in a running Vigil: the signing key, the checkpointer (started with the application,
 * stopped before the store closes), their publication, and a verification of the whole store at start in
 * the background, whose finding is logged: a tampered store still starts, and says so.
 */
@Injectable()
export class AuditCheckpoints implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoints');
  readonly config: CheckpointConfig;
  /** The signing key, or null when checkpoints are off (`offReason`). */
  readonly key: AuditSigningKey | null;
  readonly offReason: string | null;
  private checkpointer?: Checkpointer;
  private publisher?: CheckpointPublisher;
  private stopping = false;
  /** Signatures made here (`signHere`), one at a time: a second export waits, then finds the head covered. */
  private signing: Promise<unknown> = Promise.resolve();
  /** The verification run at start (resolves to null when it could not finish, e.g. the app stopped first). */
  startupVerification: Promise<StoreVerification | null> = Promise.resolve(null);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHECKPOINTS_OPTIONS) private readonly options: CheckpointsModuleOptions,
  ) {
    this.config = checkpointConfigFromEnv(options.env, options.dataDir);
    const source = this.config.signingKey;
    if ('off' in source) {
      this.key = null;
      this.offReason = source.off;
    } else {
      this.key = loadSigningKey(source.file, {
        generate: source.generate,
        created: (file) => this.logger.warn(`generated the audit signing key (Ed25519) in ${file}: back it up, and keep its public key outside this machine`),
      });
      this.offReason = null;
    }
  }

  get publicKey(): AuditPublicKey | null {
    return this.key?.publicKey ?? null;
  }

  /** What verification checks checkpoints with: the public key and the copies in VIGIL_CHECKPOINT_LOG, or why it does not. */
  verificationSetting(): CheckpointSetting {
    if (!this.key) return { off: this.offReason ?? 'no signing key' };
    return { key: this.key.publicKey, outside: this.config.file ? checkpointsInFile(this.config.file) : [] };
  }

  /**
   * A checkpoint covering the log's head now (an export wants a proof for every event it includes): the checkpointer's
   * where this process runs it. Elsewhere (an API node; the main thread of the embedded default, whose projector thread
   * runs the checkpointer) the latest stored when it covers the head, else one signed here (see `signHere`). Null when
   * checkpoints are off and none was ever stored, or signing halted on a tampered log (the latest stored, then).
   */
  async checkpointNow(): Promise<SignedCheckpoint | null> {
    if (this.checkpointer) return this.checkpointer.checkpointNow();
    const log = this.store.checkpoints;
    if (!log) return null;
    const signing = this.signing.then(() => this.signHere(log));
    this.signing = signing.catch(() => undefined);
    return signing;
  }

  /**
   * Signs the head with this node's copy of the key (the same key on every node), folding from the Merkle frontier kept
   * with the latest checkpoint: only the events since it are read. The log's `record` keeps checkpoints totally ordered
   * whoever signs (one per tree size, only ever growing; a tree size's root is the log's, whoever computes it): when
   * another signer got there first, its checkpoint, as large or larger, is the answer.
   */
  private async signHere(log: CheckpointLog): Promise<SignedCheckpoint | null> {
    const [latest, head] = await Promise.all([log.latest(), this.store.headPosition()]);
    if ((latest?.treeSize ?? 0) >= head) return latest;
    if (!this.key) {
      if (!latest) return null;
      throw new CheckpointUnavailableError(
        `the latest signed checkpoint covers ${latest.treeSize} of the log's ${head} events and this node cannot sign one (${this.offReason}); ` +
          'retry once the next checkpoint is signed',
      );
    }
    const checkpointer = new Checkpointer(this.store, log, this.key, { logger: this.logger });
    return (await checkpointer.checkpointNow()) ?? latest;
  }

  async onApplicationBootstrap(): Promise<void> {
    const log = this.store.checkpoints;
    if (!this.key) this.logger.warn(`checkpoints are off: ${this.offReason}`);
    else if (!log) this.logger.warn('this event store keeps no checkpoints (EventStoreDB): the audit trail rests on its hash chains only');
    else if (this.options.run ?? true) {
      this.publisher = new CheckpointPublisher(log, this.channels(), { retryBaseMs: this.options.retryBaseMs, retryMaxMs: this.options.retryMaxMs });
      this.checkpointer = new Checkpointer(this.store, log, this.key, {
        every: this.config.every,
        intervalMs: this.config.intervalMs,
        onCheckpoint: () => this.publisher?.notify(),
        logger: this.logger,
      });
      await this.checkpointer.start();
      this.publisher.start();
      const published = this.publisher.channelNames.length > 0 ? `published to ${this.publisher.channelNames.join(', ')}` : 'kept in the database only';
      this.logger.log(
        `signing checkpoints every ${this.config.every} events or ${this.config.intervalMs} ms with key ${this.key.publicKey.keyId}; ${published}`,
      );
    }
    this.startupVerification = this.verifyInBackground();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.checkpointer?.stop();
    await this.publisher?.stop();
    await this.startupVerification;
  }

  private channels(): CheckpointChannel[] {
    const channels: CheckpointChannel[] = [];
    if (this.config.file) channels.push(new FileCheckpointChannel(this.config.file));
    if (this.options.webhook) channels.push(new WebhookCheckpointChannel(this.options.webhook));
    if (this.options.kafka) channels.push(new KafkaCheckpointChannel({ ...this.options.kafka, topic: this.config.kafkaTopic }));
    return channels;
  }

  private async verifyInBackground(): Promise<StoreVerification | null> {
    try {
      const report = await verifyStore(this.store, { checkpoints: this.verificationSetting() });
      if (report.ok) this.logger.log(`audit trail verified at start: ${report.events} events; ${report.checkpoints.message}`);
      else if (report.broken.length === 0 && report.checkpoints.status === 'unverifiable') {
        this.logger.error(`AUDIT TRAIL NOT VERIFIED: ${report.checkpoints.message}. See GET /audit/verify.`);
      } else {
        const chains = report.broken.length > 0 ? `${report.broken.length} event(s) break their stream's hash chain; ` : '';
        this.logger.error(`AUDIT TRAIL TAMPERED: ${chains}${report.checkpoints.ok ? '' : report.checkpoints.message}. See GET /audit/verify.`);
      }
      return report;
    } catch (error) {
      if (!this.stopping) this.logger.error(`the verification at start could not finish: ${(error as Error).message}`);
      return null;
    }
  }
}

@Global()
@Module({})
export class CheckpointsModule {
  static forRoot(options: CheckpointsModuleOptions): DynamicModule {
    return {
      module: CheckpointsModule,
      providers: [{ provide: CHECKPOINTS_OPTIONS, useValue: options }, AuditCheckpoints],
      exports: [AuditCheckpoints],
    };
  }
}
