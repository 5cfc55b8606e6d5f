import type { LabTestCode } from '../events';
import { instantMs } from '../instant';
import type { StoredPatientEvent } from './evolve';
import type { DoseEntry, LabEntry, PatientState } from './patient-state';

/** A lab result not voided, with its clinical time in milliseconds. */
export interface TimedLab {
  entry: LabEntry;
  time: number;
}

/** A dose not voided, with its administration time in milliseconds. */
export interface TimedDose {
  entry: DoseEntry;
  time: number;
}

const byTimeThenSeq = (a: { time: number; entry: { recordedSeq: number } }, b: { time: number; entry: { recordedSeq: number } }): number =>
  a.time - b.time || a.entry.recordedSeq - b.entry.recordedSeq;

/**
 * The ordered views the safety rules read a patient through: each test's results in clinical order, the
 * doses in clinical order. An index, not state: `PatientChart.of(state)` builds it from any state, and the
 * owner of a fold that moves on event by event (the alerting reactor) keeps it in step with `observe`
 * instead of sorting the patient's history again for each new result. A test compares both ways.
 */
export class PatientChart {
  private readonly labsByTest = new Map<LabTestCode, TimedLab[]>();
  /** Where each active result sits: its test's list. */
  private readonly testOf = new Map<string, LabTestCode>();
  private doses: TimedDose[] | undefined;

  private constructor(private state: PatientState) {}

  static of(state: PatientState): PatientChart {
    const chart = new PatientChart(state);
    for (const entry of Object.values(state.labs)) {
      if (entry.voided) continue;
      chart.listOf(entry.current.test).push({ entry, time: instantMs(entry.current.collectedAt) });
      chart.testOf.set(entry.eventId, entry.current.test);
    }
    for (const list of chart.labsByTest.values()) list.sort(byTimeThenSeq);
    return chart;
  }

  /**
   * A chart of its own, as this one stands, for a fold that goes on from this one's state (a snapshot's):
   * `observe` on the copy leaves this one as it is.
   */
  copy(state: PatientState): PatientChart {
    const chart = new PatientChart(state);
    for (const [test, list] of this.labsByTest) chart.labsByTest.set(test, list.slice());
    for (const [id, test] of this.testOf) chart.testOf.set(id, test);
    return chart;
  }

  /** Takes in an event the owner's fold just applied; `state` is the fold's state after it. */
  observe(state: PatientState, stored: StoredPatientEvent): void {
    this.state = state;
    const { event } = stored;
    switch (event.type) {
      case 'LabResultRecorded':
        this.place(stored.eventId);
        break;
      case 'LabResultCorrected':
      case 'LabResultEnteredInError':
        this.place(event.data.originalEventId);
        break;
      case 'DoseAdministered':
      case 'DoseCorrected':
      case 'DoseEnteredInError':
        this.doses = undefined;
        break;
      default:
        break;
    }
  }

  /** The results of a test not voided, in clinical order (ties by recording order). */
  labsOf(test: LabTestCode): readonly TimedLab[] {
    return this.labsByTest.get(test) ?? [];
  }

  /** The doses not voided, in clinical order (ties by recording order). */
  activeDoses(): readonly TimedDose[] {
    if (!this.doses) {
      this.doses = Object.values(this.state.doses)
        .filter((entry) => !entry.voided)
        .map((entry) => ({ entry, time: instantMs(entry.current.administeredAt) }))
        .sort(byTimeThenSeq);
    }
    return this.doses;
  }

  /** The first dose not voided: Day 1 of the patient's treatment. */
  firstDose(): TimedDose | undefined {
    return this.activeDoses()[0];
  }

  private listOf(test: LabTestCode): TimedLab[] {
    let list = this.labsByTest.get(test);
    if (!list) this.labsByTest.set(test, (list = []));
    return list;
  }

  /** Puts a result where its current values say: out of its old place, into its test's list unless voided. */
  private place(id: string): void {
    const oldTest = this.testOf.get(id);
    if (oldTest !== undefined) {
      const list = this.listOf(oldTest);
      const at = list.findIndex((timed) => timed.entry.eventId === id);
      if (at >= 0) list.splice(at, 1);
      this.testOf.delete(id);
    }
    const entry = Object.prototype.hasOwnProperty.call(this.state.labs, id) ? this.state.labs[id] : undefined;
    if (!entry || entry.voided) return;
    const timed = { entry, time: instantMs(entry.current.collectedAt) };
    const list = this.listOf(entry.current.test);
    let at = list.length;
    while (at > 0 && byTimeThenSeq(list[at - 1], timed) > 0) at--;
    list.splice(at, 0, timed);
    this.testOf.set(id, entry.current.test);
  }
}
