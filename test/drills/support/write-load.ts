import { enrolment } from '../../harness/vigil-harness';
import { eventually } from '../../harness/webhook-receiver';
import type { Test } from 'supertest';

/** The node a write load talks to: authorised requests to it. */
export interface WriteTarget {
  get(path: string): Test;
  post(path: string, body: object): Test;
}

/**
 * A client enrolling patients on a node one after another until stopped, through whatever the node goes
 * through: which enrolments were acknowledged (201), how often each status came back (0: no answer at all),
 * and the Retry-After values of its 503s.
 */
export class WriteLoad {
  readonly acknowledged: string[] = [];
  readonly statuses = new Map<number, number>();
  readonly retryAfter = new Set<string>();
  private writing = true;
  private readonly running: Promise<void>;

  /** `pauseAfterFailureMs`: how long the client waits after an answer other than 201 before the next write. */
  constructor(
    private readonly node: WriteTarget,
    pauseAfterFailureMs = 0,
  ) {
    this.running = this.run(pauseAfterFailureMs);
  }

  /** Resolves once `count` more enrolments than now are acknowledged. */
  async acknowledgedMore(count: number, timeoutMs: number): Promise<void> {
    const before = this.acknowledged.length;
    await eventually(
      () => this.acknowledged.length,
      (acknowledged) => acknowledged >= before + count,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    this.writing = false;
    await this.running;
  }

  /** The acknowledged patients the node does not list, once it lists as many as were acknowledged (none: no acknowledged write lost). */
  async lost(timeoutMs: number): Promise<string[]> {
    const listed = await eventually(
      () => this.node.get('/patients'),
      (answer) => answer.status === 200 && answer.body.items.length >= this.acknowledged.length,
      timeoutMs,
    );
    const stored = new Set((listed.body.items as { patientId: string }[]).map((p) => p.patientId));
    return this.acknowledged.filter((patientId) => !stored.has(patientId));
  }

  private async run(pauseAfterFailureMs: number): Promise<void> {
    for (let n = 1; this.writing; n++) {
      const patientId = `TR-SAT-${String(n).padStart(3, '0')}`;
      const answer = await this.node.post('/patients', enrolment({ patientId })).catch(() => undefined);
      const status = answer?.status ?? 0;
      this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
      if (status === 201) this.acknowledged.push(patientId);
      if (status === 503) this.retryAfter.add(String(answer?.headers['retry-after']));
      if (status !== 201 && pauseAfterFailureMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseAfterFailureMs));
    }
  }
}
