import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { downsample } from './downsample';
import { unit, utc, value } from '../format';

/** CTCAE grade colours (none, 1–5), readable on white and told apart by the legend's words too. */
export const GRADE_COLOURS = ['#4a5568', '#b7791f', '#c05621', '#c53030', '#702459', '#000000'];

export interface LabPoint {
  /** Seconds since the epoch (clinical time of collection). */
  x: number;
  /** Current value, canonical unit. */
  y: number;
  grade: number | null;
  /** The value first recorded, when a correction changed it. */
  original?: number;
  voided: boolean;
}

export interface LabChartProps {
  test: string;
  unitCode: string;
  points: LabPoint[];
  range?: { low?: number; high?: number };
  /** Protocol thresholds in the canonical unit (TR-PLT at 80 ×10⁹/L…). */
  thresholds: { ruleId: string; value: number }[];
}

const MAX_BUCKETS = 400;

/**
 * One lab test over time (uPlot): the reference range as a band, the protocol thresholds as dashed lines,
 * each result as a point coloured by its CTCAE grade, and a corrected result's original as a hollow point
 * joined to its current value. Long series are thinned (downsample) so 10 000 results draw at once.
 */
export function LabChart({ test, unitCode, points, range, thresholds }: LabChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const active = points.filter((p) => !p.voided);
    const thinned = downsample({ x: active.map((p) => p.x), y: active.map((p) => p.y), rank: active.map((p) => p.grade ?? 0) }, MAX_BUCKETS);
    const corrected = active.length === thinned.x.length ? active.filter((p) => p.original !== undefined && p.original !== p.y) : [];
    const extremes = [range?.low, range?.high, ...thresholds.map((t) => t.value), ...corrected.map((p) => p.original as number)].filter(
      (v): v is number => typeof v === 'number',
    );
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height: 220,
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      scales: {
        x: { time: true },
        y: {
          range: (_u, min, max) => {
            const lo = Math.min(min, ...extremes);
            const hi = Math.max(max, ...extremes);
            const pad = (hi - lo || Math.abs(hi) || 1) * 0.08;
            return [lo - pad, hi + pad];
          },
        },
      },
      axes: [{}, { label: unit(unitCode), size: 60 }],
      series: [{}, { label: test, stroke: '#a0aec0', width: 1, points: { show: false } }],
      hooks: {
        drawAxes: [
          (u) => {
            if (range?.low === undefined && range?.high === undefined) return;
            const { ctx, bbox } = u;
            const top = range.high === undefined ? bbox.top : u.valToPos(range.high, 'y', true);
            const bottom = range.low === undefined ? bbox.top + bbox.height : u.valToPos(range.low, 'y', true);
            ctx.save();
            ctx.fillStyle = 'rgba(56, 161, 105, 0.12)';
            ctx.fillRect(bbox.left, top, bbox.width, bottom - top);
            ctx.restore();
          },
        ],
        draw: [
          (u) => {
            const { ctx, bbox } = u;
            const ratio = devicePixelRatio || 1;
            ctx.save();
            for (const threshold of thresholds) {
              const y = u.valToPos(threshold.value, 'y', true);
              ctx.strokeStyle = '#c53030';
              ctx.setLineDash([6 * ratio, 4 * ratio]);
              ctx.lineWidth = 1.5 * ratio;
              ctx.beginPath();
              ctx.moveTo(bbox.left, y);
              ctx.lineTo(bbox.left + bbox.width, y);
              ctx.stroke();
              ctx.setLineDash([]);
              ctx.fillStyle = '#c53030';
              ctx.font = `${11 * ratio}px system-ui, sans-serif`;
              ctx.fillText(`${threshold.ruleId} ${value(threshold.value)}`, bbox.left + 4 * ratio, y - 4 * ratio);
            }
            for (const p of corrected) {
              const x = u.valToPos(p.x, 'x', true);
              const from = u.valToPos(p.original as number, 'y', true);
              const to = u.valToPos(p.y, 'y', true);
              ctx.strokeStyle = '#718096';
              ctx.lineWidth = 1 * ratio;
              ctx.setLineDash([2 * ratio, 2 * ratio]);
              ctx.beginPath();
              ctx.moveTo(x, from);
              ctx.lineTo(x, to);
              ctx.stroke();
              ctx.setLineDash([]);
              ctx.beginPath();
              ctx.arc(x, from, 4 * ratio, 0, Math.PI * 2);
              ctx.stroke();
            }
            for (let i = 0; i < thinned.x.length; i++) {
              ctx.fillStyle = GRADE_COLOURS[Math.min(thinned.rank[i], 5)];
              ctx.beginPath();
              ctx.arc(u.valToPos(thinned.x[i], 'x', true), u.valToPos(thinned.y[i], 'y', true), 3.5 * ratio, 0, Math.PI * 2);
              ctx.fill();
            }
            ctx.restore();
          },
        ],
      },
    };
    const plot = new uPlot(options, [thinned.x, thinned.y], element);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, element.clientWidth), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points, range?.low, range?.high, thresholds, test, unitCode]);

  const active = points.filter((p) => !p.voided);
  const last = active[active.length - 1];
  const label = last
    ? `${test}: ${active.length} results from ${utc(new Date(active[0].x * 1000).toISOString())} to ${utc(new Date(last.x * 1000).toISOString())}; ` +
      `latest ${value(last.y, unitCode)}${last.grade ? `, CTCAE grade ${last.grade}` : ''}` +
      (thresholds.length ? `; protocol threshold ${thresholds.map((t) => `${t.ruleId} ${value(t.value, unitCode)}`).join(', ')}` : '')
    : `${test}: no results`;
  return <div class="lab-chart" ref={holder} role="img" aria-label={label} />;
}
