import { LagSource, VigilMetrics } from './vigil-metrics';

/** A log whose head and followers' positions a test sets, counting what each scrape reads. */
function followedLog(head: number, positions: Record<string, number>, recordedAt: (position: number) => number) {
  const reads = { positions: 0, head: 0, recordedAfter: [] as number[] };
  const source: LagSource = {
    positions: async () => (reads.positions++, Object.entries(positions).map(([name, position]) => ({ name, position }))),
    head: async () => (reads.head++, head),
    recordedAfter: async (position) => (reads.recordedAfter.push(position), recordedAt(position)),
  };
  return { source, reads };
}

const lagOf = (text: string, family: string, projection: string) =>
  Number(new RegExp(`^${family}\\{projection="${projection}"\\} (\\S+)$`, 'm').exec(text)?.[1]);

describe('VigilMetrics lag gauges', () => {
  it('reads the positions and the head once per scrape, and no event while every follower is at the head', async () => {
    const metrics = new VigilMetrics({ defaultMetrics: false });
    const log = followedLog(40, { patients: 40, alerting: 40 }, () => 0);
    metrics.watchLag(log.source);

    const { body } = await metrics.exposition();
    expect(lagOf(body, 'vigil_projection_lag_events', 'alerting')).toBe(0);
    expect(lagOf(body, 'vigil_projection_lag_seconds', 'patients')).toBe(0);
    expect(log.reads).toEqual({ positions: 1, head: 1, recordedAfter: [] });
  });

  it('reads the oldest uncovered event once per position behind the head, and reports its age', async () => {
    const metrics = new VigilMetrics({ defaultMetrics: false });
    const now = Date.now();
    const log = followedLog(40, { patients: 40, safety: 37, alerting: 37, audit: 30 }, (position) => now - (40 - position) * 1000);
    metrics.watchLag(log.source);

    const { body } = await metrics.exposition();
    expect(lagOf(body, 'vigil_projection_lag_events', 'safety')).toBe(3);
    expect(lagOf(body, 'vigil_projection_lag_events', 'audit')).toBe(10);
    expect(lagOf(body, 'vigil_projection_lag_seconds', 'alerting')).toBeGreaterThanOrEqual(3);
    expect(lagOf(body, 'vigil_projection_lag_seconds', 'audit')).toBeGreaterThanOrEqual(10);
    expect(lagOf(body, 'vigil_projection_lag_seconds', 'patients')).toBe(0);
    expect(log.reads.recordedAfter.sort()).toEqual([30, 37]);

    await metrics.exposition();
    expect(log.reads).toMatchObject({ positions: 2, head: 2 });
  });
});
