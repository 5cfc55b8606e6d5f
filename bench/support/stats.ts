/** Order statistics over samples: medians for rates, percentiles for latencies (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (samples: readonly number[]): number => {
  if (samples.length === 0) throw new RangeError('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Milliseconds from a monotonic clock. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Latencies (ms) of many operations; p50 and p99 over all of them. */
export class Latencies {
  private readonly samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  get p50(): number {
    return percentile(this.samples, 50);
  }

  get p99(): number {
    return percentile(this.samples, 99);
  }

  get max(): number {
    return this.samples.reduce((a, b) => Math.max(a, b), 0);
  }
}

/** Peak resident memory of this process in MB (10⁶ bytes): the kernel's count, not a sample. */
export const peakRssMB = (): number => (process.resourceUsage().maxRSS * 1024) / 1e6;
