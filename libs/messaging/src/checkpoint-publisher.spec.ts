import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointLog, createSqliteEventStore, EventStore, SignedCheckpoint } from '@vigil/event-store';
import { CheckpointChannel, FileCheckpointChannel, WebhookCheckpointChannel } from './checkpoint-channel';
import { checkpointMessage } from './checkpoint-message';
import { CheckpointPublisher } from './checkpoint-publisher';
import { verifyWebhookSignature } from './webhook-signature';

const checkpoint = (treeSize: number): SignedCheckpoint => ({
  treeSize,
  rootHash: treeSize.toString(16).padStart(64, '0'),
  signedAt: new Date(Date.UTC(2026, 2, 2, 9, 0, treeSize)).toISOString(),
  keyId: 'ab'.repeat(32),
  signature: Buffer.from(`signature ${treeSize}`).toString('base64'),
});

const eventually = async (condition: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('publishing signed checkpoints', () => {
  let dir: string;
  let store: EventStore;
  let log: CheckpointLog;
  const publishers: CheckpointPublisher[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-publish-'));
    store = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
    log = store.checkpoints as CheckpointLog;
  });
  afterEach(async () => {
    for (const publisher of publishers.splice(0)) await publisher.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const record = (treeSize: number) => log.record(checkpoint(treeSize), { treeSize: 1, roots: ['00'.repeat(32)] }, new Map());
  const publisher = (channels: CheckpointChannel[]) => {
    const made = new CheckpointPublisher(log, channels, { retryBaseMs: 10, retryMaxMs: 20, pollMs: 50 });
    publishers.push(made);
    return made;
  };

  it('appends each checkpoint, in order, as a CheckpointSigned line to the checkpoint file, and only once', async () => {
    const file = join(dir, 'copies', 'checkpoints.jsonl');
    await record(1000);
    await record(2000);
    const running = publisher([new FileCheckpointChannel(file)]);
    running.start();
    await eventually(() => readLines(file).length === 2);
    await record(3000);
    running.notify();
    await eventually(() => readLines(file).length === 3);
    await running.stop();

    const again = publisher([new FileCheckpointChannel(file)]);
    again.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(readLines(file)).toEqual([1000, 2000, 3000].map((size) => ({ ...checkpointMessage(checkpoint(size)), type: 'CheckpointSigned', schemaVersion: 1 })));
    expect(await log.publishedUpTo('file')).toBe(3000);
  });

  it('retries a channel that fails, without holding back the others, and publishes everything once it recovers', async () => {
    const file = join(dir, 'checkpoints.jsonl');
    let down = true;
    const sent: number[] = [];
    const flaky: CheckpointChannel = {
      name: 'flaky',
      publish: async (c) => {
        if (down) throw new Error('receiver down');
        sent.push(c.treeSize);
      },
    };
    await record(10);
    await record(20);
    publisher([flaky, new FileCheckpointChannel(file)]).start();
    await eventually(() => readLines(file).length === 2);
    expect(sent).toEqual([]);
    expect(await log.publishedUpTo('flaky')).toBe(0);
    down = false;
    await eventually(() => sent.length === 2);
    expect(sent).toEqual([10, 20]);
  });

  it('POSTs each checkpoint to the webhook, signed like the alerts, typed CheckpointSigned and with no alert id', async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const secret = 'checkpoint webhook secret, sixteen+';
      await record(7);
      publisher([new WebhookCheckpointChannel({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, secret })]).start();
      await eventually(() => received.length === 1);
      const [{ headers, body }] = received;
      expect(JSON.parse(body)).toEqual({ ...checkpointMessage(checkpoint(7)), type: 'CheckpointSigned' });
      expect(headers['x-vigil-event-type']).toBe('CheckpointSigned');
      expect(headers['x-vigil-alert-id']).toBeUndefined();
      expect(verifyWebhookSignature(body, headers['x-vigil-signature'] as string, secret)).toBe(true);
    } finally {
      server.close();
    }
  });
});

function readLines(file: string): unknown[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}
