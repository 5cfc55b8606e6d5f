import { performance } from 'node:perf_hooks';
import type { CheckpointLog, EventStore, SignedCheckpoint } from '@vigil/event-store';
import { MerkleFrontier } from '@vigil/event-store';
import { signCheckpoint } from './checkpoint-signature';
import type { AuditSigningKey } from './signing-key';

export interface CheckpointerOptions {
  /** A checkpoint once this many events were appended since the last (VIGIL_CHECKPOINT_EVERY, default 1 000)… */
  every?: number;
  /** …or once this long has passed with something appended (VIGIL_CHECKPOINT_INTERVAL_MS, default 60 s). */
  intervalMs?: number;
  /** How often the log's head is looked at (default 250 ms). */
  pollMs?: number;
  /** Event hashes read per query while catching up (default 10 000). */
  batchSize?: number;
  /** Told of each checkpoint once it is stored (publication: file, webhook, Kafka). */
  onCheckpoint?: (checkpoint: SignedCheckpoint) => void;
  logger?: CheckpointerLogger;
  /** The clock (tests). */
  now?: () => number;
}

export interface CheckpointerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const silent: CheckpointerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The one writer of checkpoints: it follows the log's head, folds each new event's stored hash into the
 * Merkle frontier (RFC 9162; amortised two SHA-256 per event, off the append path), and every `every`
 * events or `intervalMs` (whichever first, only when something was appended) signs the tree head with
 * the audit key and stores it with the frontier and the finished tiles, in one transaction.
 *
 * The frontier persisted with the latest checkpoint is a shortcut, never trusted over the log: it is
 * rebuilt from the log when it is missing, does not give the latest checkpoint's root, or covers more
 * events than the log holds. A log whose positions have a gap (an event deleted behind Vigil's back)
 * stops the signing, loudly: verification (`verifyStore`) names what no longer matches.
 */
export class Checkpointer {
  private frontier?: MerkleFrontier;
  private tiles = new Map<number, string>();
  private latest: SignedCheckpoint | null = null;
  private lastSignedAt = 0;
  private timer?: NodeJS.Timeout;
  private running = false;
  private pass: Promise<void> = Promise.resolve();
  private haltedBecause: string | null = null;
  private busy = 0;
  private readonly every: number;
  private readonly intervalMs: number;
  private readonly logger: CheckpointerLogger;
  private readonly now: () => number;

  constructor(
    private readonly store: EventStore,
    private readonly log: CheckpointLog,
    private readonly key: AuditSigningKey,
    private readonly options: CheckpointerOptions = {},
  ) {
    this.every = options.every ?? 1_000;
    this.intervalMs = options.intervalMs ?? 60_000;
    if (!Number.isSafeInteger(this.every) || this.every < 1) throw new Error(`checkpoint every must be a whole number of events ≥ 1, not ${this.every}`);
    if (!Number.isFinite(this.intervalMs) || this.intervalMs < 1) throw new Error(`checkpoint interval must be ≥ 1 ms, not ${this.intervalMs}`);
    this.logger = options.logger ?? silent;
    this.now = options.now ?? Date.now;
  }

  /** The tree size the frontier has reached (events folded so far). */
  get treeSize(): number {
    return this.frontier?.treeSize ?? 0;
  }

  /**
   * Milliseconds its passes have held the thread it runs on: reading event hashes (the call, not the wait
   * for a network answer), folding them into the tree, signing. What it takes from appends on that thread.
   */
  get busyMs(): number {
    return this.busy;
  }

  /** Why signing stopped (a gap in the log), or null. */
  get halted(): string | null {
    return this.haltedBecause;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.serially(() => this.load());
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  /**
   * Folds the log up to its head and signs a checkpoint there if anything was appended since the last
   * one; answers the latest checkpoint (null when the log is empty or signing is halted).
   */
  async checkpointNow(): Promise<SignedCheckpoint | null> {
    await this.serially(async () => {
      if (!this.frontier) await this.load();
      await this.catchUp(true);
    });
    return this.haltedBecause ? null : this.latest;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.serially(() => this.catchUp(false))
        .catch((error: unknown) => this.logger.error(`checkpointing failed, will retry: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => this.schedule());
    }, this.options.pollMs ?? 250);
    this.timer.unref?.();
  }

  /** One pass at a time: the timer's, a `checkpointNow`'s, the start's. */
  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.pass.then(work);
    this.pass = next.catch(() => undefined);
    return next;
  }

  /** Takes the persisted frontier if it holds against the log's head and the latest checkpoint; rebuilds it from the log otherwise. */
  private async load(): Promise<void> {
    const [persisted, latest, head] = await Promise.all([this.log.frontier(), this.log.latest(), this.store.headPosition()]);
    this.latest = latest;
    this.lastSignedAt = latest ? Date.parse(latest.signedAt) : this.now();
    this.tiles = new Map();
    const onTile = (index: number, root: Buffer) => void this.tiles.set(index, root.toString('hex'));
    let why: string | null;
    if (!persisted) why = latest ? 'the Merkle frontier kept beside the log is missing' : null;
    else if (persisted.treeSize > head) why = `the Merkle frontier covers ${persisted.treeSize} events, the log holds ${head}`;
    else {
      try {
        const candidate = new MerkleFrontier(persisted, onTile);
        if (latest && latest.treeSize === candidate.treeSize && latest.rootHash !== candidate.rootHex()) {
          why = `the Merkle frontier kept beside the log does not give the root of checkpoint ${latest.treeSize}`;
        } else {
          this.frontier = candidate;
          return;
        }
      } catch (error) {
        why = `the Merkle frontier kept beside the log is malformed (${(error as Error).message})`;
      }
    }
    if (why) this.logger.warn(`${why}: rebuilding it from the log (${head} events)`);
    this.frontier = new MerkleFrontier(undefined, onTile);
  }

  private async catchUp(force: boolean): Promise<void> {
    const frontier = this.frontier;
    if (!frontier || this.haltedBecause) return;
    const head = await this.store.headPosition();
    if (head < frontier.treeSize) {
      this.halt(`the log's head is at ${head}, below the ${frontier.treeSize} events already folded: events were removed`);
      return;
    }
    const batchSize = this.options.batchSize ?? 10_000;
    while (frontier.treeSize < head) {
      const start = frontier.treeSize;
      const end = Math.min(head, start + batchSize);
      const asked = performance.now();
      const reading = this.log.eventHashes(start, end);
      this.busy += performance.now() - asked;
      const hashes = await reading;
      const folding = performance.now();
      if (hashes.length !== end - start) {
        this.halt(`the log holds ${hashes.length} events at positions ${start + 1}–${end}, not ${end - start}: events were removed`);
        return;
      }
      frontier.appendEventHashes(hashes);
      this.busy += performance.now() - folding;
    }
    if (force || this.dueBy(frontier.treeSize)) await this.sign(frontier);
  }

  private dueBy(treeSize: number): boolean {
    const since = treeSize - (this.latest?.treeSize ?? 0);
    return since > 0 && (since >= this.every || this.now() - this.lastSignedAt >= this.intervalMs);
  }

  private async sign(frontier: MerkleFrontier): Promise<void> {
    if (frontier.treeSize === 0 || frontier.treeSize <= (this.latest?.treeSize ?? 0)) return;
    const signing = performance.now();
    const checkpoint = signCheckpoint(this.key, frontier.treeSize, frontier.rootHex(), new Date(this.now()).toISOString());
    this.busy += performance.now() - signing;
    const stored = await this.log.record(checkpoint, frontier.state(), this.tiles);
    this.tiles = new Map();
    this.lastSignedAt = this.now();
    if (stored) {
      this.latest = checkpoint;
      this.options.onCheckpoint?.(checkpoint);
      return;
    }
    // Another node stored a checkpoint at least as large: take it as the latest, keep folding.
    this.latest = await this.log.latest();
  }

  private halt(reason: string): void {
    this.haltedBecause = reason;
    this.logger.error(`AUDIT TRAIL TAMPERED: ${reason}. No checkpoint is signed until this is resolved; run \`vigil audit verify\`.`);
  }
}
