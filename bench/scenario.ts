import type { BenchOptions } from './options';
import type { BenchStore } from './support/stores';

/** What a figure must reach: at least (rates) or at most (latencies, memory) a value. */
export interface Target {
  atLeast?: number;
  atMost?: number;
  /** How the target reads in the table: "≥ 70 % of raw 1 row/tx". */
  text: string;
}

/** One figure a scenario reports: a row of the results table. */
export interface FigureSpec {
  /** Key of the figure in the scenario's measurement, e.g. 'throughput', 'p99'. */
  key: string;
  /** What the figure is, as the table shows it. */
  label: string;
  unit: string;
  /** None for figures that are themselves the yardstick (the machine's limit). */
  target?: Target;
}

/** A measured figure, with what makes it more than one number. */
export interface Measured {
  value: number;
  /** Latency percentiles (ms) of the operations behind the figure, when it has them. */
  p50?: number;
  p99?: number;
  /** Anything else worth keeping in latest.json (sizes, rounds, the limit it is compared to…). */
  details?: Record<string, unknown>;
  /** The target as the measurement made it precise (a share of a limit measured alongside), replacing the spec's. */
  target?: Target;
}

export type Measurement = Record<string, Measured>;

/**
 * One benchmark scenario, one file in bench/scenarios/. `figures` says what it reports and against
 * which targets (it may depend on figures of the scenarios it `needs`, run before it); `run` measures.
 * A scenario whose feature has not landed throws `NotAvailableYet`: its rows say so, nothing is made up.
 */
export interface Scenario {
  readonly name: string;
  readonly title: string;
  readonly needs?: readonly string[];
  /** Only a run on this store has the scenario (several nodes share one store through PostgreSQL only). */
  readonly onlyOnStore?: BenchStore['kind'];
  figures(bench: BenchContext): FigureSpec[];
  run(bench: BenchContext): Promise<Measurement>;
}

/** The capability a scenario measures is not in the code yet; `reason` says what is missing. */
export class NotAvailableYet extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NotAvailableYet';
  }
}

export interface BenchPaths {
  root: string;
  /** The swc-transpiled tree the benchmarks import (dist/bench). */
  benchDist: string;
  /** What `npm start` runs: the nest build of apps/vigil. */
  serverMain: string;
}

/** What every scenario gets: the options, fresh directories, figures of earlier scenarios, shared fixtures. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly paths: BenchPaths;
  /** The event store the run measures (`--store`). */
  readonly store: BenchStore;
  /** A new empty directory under the bench data directory, removed at the end of the run. */
  freshDir(label: string): string;
  /** The measurement of a scenario run earlier in this run (one this scenario `needs`). */
  measured(scenario: string): Measurement;
  /** Built once per run, shared by the scenarios that ask for the same key (a seeded store…). */
  shared<T>(key: string, make: () => Promise<T>): Promise<T>;
  log(message: string): void;
}

/** A row of the results: bench/results/latest.json holds an array of these. */
export interface ResultRow {
  scenario: string;
  title: string;
  figure: string;
  status: 'measured' | 'not available yet' | 'failed';
  value: number | null;
  unit: string;
  target: number | null;
  targetText: string;
  /** value / target. */
  ratio: number | null;
  /** Null for a figure without a target (the machine's limit). */
  met: boolean | null;
  p50?: number;
  p99?: number;
  reason?: string;
  measuredAt: string;
  [detail: string]: unknown;
}

export function rowFor(scenario: Scenario, spec: FigureSpec, measured: Measured, measuredAt: string): ResultRow {
  const goal = measured.target ?? spec.target;
  const target = goal?.atLeast ?? goal?.atMost ?? null;
  const met = goal === undefined ? null : goal.atLeast !== undefined ? measured.value >= goal.atLeast : measured.value <= (goal.atMost as number);
  return {
    scenario: scenario.name,
    title: scenario.title,
    figure: spec.label,
    status: 'measured',
    value: measured.value,
    unit: spec.unit,
    target,
    targetText: goal?.text ?? '(machine limit)',
    ratio: target === null || target === 0 ? null : measured.value / target,
    met,
    ...(measured.p50 !== undefined ? { p50: measured.p50 } : {}),
    ...(measured.p99 !== undefined ? { p99: measured.p99 } : {}),
    ...measured.details,
    measuredAt,
  };
}

export function unmeasuredRow(scenario: Scenario, spec: FigureSpec, status: 'not available yet' | 'failed', reason: string, measuredAt: string): ResultRow {
  return {
    scenario: scenario.name,
    title: scenario.title,
    figure: spec.label,
    status,
    value: null,
    unit: spec.unit,
    target: spec.target?.atLeast ?? spec.target?.atMost ?? null,
    targetText: spec.target?.text ?? '(machine limit)',
    ratio: null,
    met: false,
    reason,
    measuredAt,
  };
}
