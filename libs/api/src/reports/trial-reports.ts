import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PatientFold, PatientNotFoundError, patientStream, type DosingOptions } from '@vigil/domain';
import { EVENT_STORE, type EventStore } from '@vigil/event-store';
import {
  foldLog,
  patientEverything,
  safetyReport,
  SafetyReportCache,
  sdtmExport,
  TrialFold,
  type SafetyReport,
  type SdtmFile,
  type SdtmDomain,
  type SdtmFormat,
} from '@vigil/reports';
import type { Bundle } from 'fhir/r4';
import type { VigilConfig } from '../config';
import { VIGIL_CONFIG } from '../vigil-config.token';
import type { ReportQuery } from './report-queries';

/** The version of Vigil written into the files it exports (Dataset-JSON sourceSystem). */
export const VIGIL_SOURCE_VERSION = '0.1.0';

/**
 * Trial-wide reports and exports, derived from the event log (docs/interchange.md). The safety report keeps
 * one compact fold of the trial that follows the log: each request reads only what was appended since. A
 * report as of an earlier moment than the fold's latest recording is derived by one pass over the log that
 * leaves out what was recorded after it, kept for the next report as of the same moment. Exports fold the
 * log afresh, whole records kept.
 */
@Injectable()
export class TrialReports implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly live = new TrialFold({ labs: 'compact' });
  /** Per-patient facts of the live fold, derived again only for patients whose stream moved. */
  private readonly liveFacts = new SafetyReportCache();
  /**
   * The fold of the last earlier moment asked for (a board reviews one frozen asOf again and again): it follows the
   * log too, leaving out what was recorded after its moment. One only: each holds the whole trial.
   */
  private past: { asOfMs: number; fold: TrialFold; facts: SafetyReportCache } | null = null;
  /** One catch-up at a time: the live fold is advanced in place. */
  private queue: Promise<unknown> = Promise.resolve();
  private closing = false;
  private readonly logger = new Logger('TrialReports');

  /** Doses are counted against the deployment's protocol, as the alerting reactor and the patient's summary count them. */
  private readonly dosing: DosingOptions;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(VIGIL_CONFIG) config: VigilConfig,
  ) {
    this.dosing = { protocol: config.protocol };
  }

  /**
   * Reads the log into the live fold and derives every patient's facts once, in the background, so that the
   * first report after a start does not pay for the whole log (docs/interchange.md "Reading the log").
   */
  onApplicationBootstrap(): void {
    void this.serially(async () => {
      const head = await this.store.headPosition();
      await foldLog(this.store, this.live, head, { stopped: () => this.closing });
      if (!this.closing) safetyReport(this.live, { asOf: new Date().toISOString() }, { cache: this.liveFacts, dosing: this.dosing });
    }).catch((error: unknown) => {
      if (!this.closing) this.logger.warn(`the safety report's fold will be read on the first request: ${String(error)}`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await this.queue;
  }

  async safetyReport(query: ReportQuery): Promise<SafetyReport> {
    const asOfMs = Date.parse(query.asOf);
    const head = await this.store.headPosition();
    return this.serially(async () => {
      const live = await foldLog(this.store, this.live, head, { stopped: () => this.closing });
      const options = { cache: this.liveFacts, dosing: this.dosing };
      // A report of now is the live fold: what was recorded since the request came in (or stamped by a node whose
      // clock runs ahead) is in it, and its asOf is the latest recording, never a fresh pass over the whole log.
      if (!query.asOfGiven) return safetyReport(live, { ...query, asOf: new Date(Math.max(asOfMs, live.latestRecordedMs)).toISOString() }, options);
      // Every event the live fold took in was recorded by asOf: it is the fold asOf would give.
      if (live.latestRecordedMs <= asOfMs) return safetyReport(live, query, options);
      if (this.past?.asOfMs !== asOfMs) this.past = { asOfMs, fold: new TrialFold({ labs: 'compact', asOfMs }), facts: new SafetyReportCache() };
      const past = await foldLog(this.store, this.past.fold, head, { stopped: () => this.closing });
      return safetyReport(past, query, { cache: this.past.facts, dosing: this.dosing });
    });
  }

  async sdtm(domain: SdtmDomain, format: SdtmFormat, asOf: string): Promise<SdtmFile> {
    const fold = await foldLog(this.store, new TrialFold({ labs: 'full', asOfMs: Date.parse(asOf) }), await this.store.headPosition());
    return sdtmExport(fold, domain, format, { sourceVersion: VIGIL_SOURCE_VERSION });
  }

  /** The patient's whole record as a FHIR bundle, with the position of the patient's last event. */
  async everything(patientId: string): Promise<{ bundle: Bundle; position: number }> {
    const events = await this.store.readStream(patientStream(patientId));
    if (events.length === 0) throw new PatientNotFoundError(patientId);
    const fold = new PatientFold();
    for (const event of events) fold.applyStored(event);
    if (!fold.state.enrolled) throw new PatientNotFoundError(patientId);
    const last = events[events.length - 1];
    return { bundle: patientEverything(fold.state, { timestamp: last.metadata.recordedAt, position: last.globalPosition }), position: last.globalPosition };
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
