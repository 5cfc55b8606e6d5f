import { downsample, Series } from './downsample';

const series = (n: number, valueAt: (i: number) => number, rankAt: (i: number) => number = () => 0): Series => ({
  x: Array.from({ length: n }, (_, i) => i * 60),
  y: Array.from({ length: n }, (_, i) => valueAt(i)),
  rank: Array.from({ length: n }, (_, i) => rankAt(i)),
});

describe('downsample: a patient with 10 000 lab results is drawn from a few hundred points', () => {
  it('draws at most three points per bucket for a long series', () => {
    const thinned = downsample(
      series(10_000, (i) => 200 + Math.sin(i / 10) * 50),
      300,
    );
    expect(thinned.x.length).toBeLessThanOrEqual(900);
    expect(thinned.x.length).toBeGreaterThan(300);
  });

  it('keeps the one platelet count below the threshold and its grade among thousands of normal ones', () => {
    const thinned = downsample(
      series(
        10_000,
        (i) => (i === 4321 ? 45 : 250),
        (i) => (i === 4321 ? 3 : 0),
      ),
      250,
    );
    const at = thinned.x.indexOf(4321 * 60);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(thinned.y[at]).toBe(45);
    expect(thinned.rank[at]).toBe(3);
  });

  it('keeps the points in time order', () => {
    const thinned = downsample(
      series(5_000, (i) => (i * 7919) % 1000),
      100,
    );
    expect([...thinned.x].sort((a, b) => a - b)).toEqual(thinned.x);
  });

  it('leaves a short series as it is', () => {
    const short = series(50, (i) => i);
    expect(downsample(short, 100)).toBe(short);
  });
});
