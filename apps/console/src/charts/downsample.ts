/** Points of one lab test, in time order: x (seconds), y (canonical value), and a rank kept when thinning (the grade). */
export interface Series {
  x: number[];
  y: number[];
  rank: number[];
}

/**
 * Thins a long series for drawing: the time span is cut into `buckets`, and each bucket keeps its lowest
 * and highest value and its highest-ranked point (the worst grade), in time order. Extremes and graded
 * points survive, so no threshold crossing disappears from the curve. Short series are returned as they are.
 */
export function downsample(series: Series, buckets: number): Series {
  const n = series.x.length;
  if (n <= buckets * 3) return series;
  const first = series.x[0];
  const span = series.x[n - 1] - first || 1;
  const out: Series = { x: [], y: [], rank: [] };
  let start = 0;
  for (let b = 0; b < buckets && start < n; b++) {
    const limit = b === buckets - 1 ? Infinity : first + (span * (b + 1)) / buckets;
    let end = start;
    while (end < n && series.x[end] < limit) end++;
    if (end === start) continue;
    let low = start;
    let high = start;
    let worst = start;
    for (let i = start; i < end; i++) {
      if (series.y[i] < series.y[low]) low = i;
      if (series.y[i] > series.y[high]) high = i;
      if (series.rank[i] > series.rank[worst]) worst = i;
    }
    for (const i of [...new Set([low, high, worst])].sort((a, b) => a - b)) {
      out.x.push(series.x[i]);
      out.y.push(series.y[i]);
      out.rank.push(series.rank[i]);
    }
    start = end;
  }
  return out;
}
