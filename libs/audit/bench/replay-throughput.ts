/**
 * How long replaying one long patient stream takes, in memory, split where the time goes: the fold
 * (`replayPatient`), the grading of every lab result (`assessLabResults`), and the whole point-in-time
 * replay `GET /patients/:id/state?asOf=` answers (`replayPatientAt`: fold, grades, alerts). Then the
 * command path: one more event evolved onto the long state, as the API's repository does per command.
 * Not a test: run with
 *   node -r ./scripts/register-ts.js libs/audit/bench/replay-throughput.ts [events] [runs]
 *
 * The stream is a realistic mix: half lab results across ten tests (some recorded late), doses, a few
 * adverse events, lab and dose corrections and voided results; plus alert streams for some results.
 */
import * as domain from '@vigil/domain';
import { evolve, replayPatient, toPatientEvent, type LabResultRecordedData, type PatientState } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import { foldPatientAt } from '../src/replay/fold-patient-at';
import { replayPatientAt } from '../src/replay/replay-patient-at';
import { stateSummaryOf } from '../src/replay/state-summary';
import { enrolled, labCorrection, labResultData, labVoid, storedStream, type EventSpec } from '../src/testing/stored-events';

const total = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 30);

const PATIENT = 'TR-SAT-001';
const START = Date.parse('2026-01-06T07:30:00Z');
const STEP_MS = 37 * 60_000;

/** Tests with a realistic canonical value and range (values in the canonical unit). */
const TESTS: { test: LabResultRecordedData['test']; unit: string; low?: number; high: number; value: (i: number) => number }[] = [
  { test: 'PLAT', unit: '10*9/L', low: 150, high: 400, value: (i) => 60 + (i % 300) },
  { test: 'WBC', unit: '10*9/L', low: 4, high: 10, value: (i) => 1.5 + (i % 90) / 10 },
  { test: 'LYM', unit: '10*9/L', low: 1, high: 4, value: (i) => 0.4 + (i % 40) / 10 },
  { test: 'NEUT', unit: '10*9/L', low: 1.8, high: 7.5, value: (i) => 0.8 + (i % 70) / 10 },
  { test: 'HGB', unit: 'g/L', low: 120, high: 160, value: (i) => 85 + (i % 80) },
  { test: 'ALT', unit: 'U/L', high: 40, value: (i) => 10 + ((i * 7) % 260) },
  { test: 'AST', unit: 'U/L', high: 40, value: (i) => 12 + ((i * 5) % 230) },
  { test: 'CREAT', unit: 'umol/L', low: 45, high: 90, value: (i) => 50 + (i % 120) },
  { test: 'BILI', unit: 'umol/L', high: 21, value: (i) => 4 + (i % 40) },
  { test: 'CRP', unit: 'mg/L', high: 5, value: (i) => (i % 60) / 2 },
];

function labData(i: number, collectedAt: string, k = i): LabResultRecordedData {
  const t = TESTS[k % TESTS.length];
  const range = t.low === undefined ? { high: t.high } : { low: t.low, high: t.high };
  return labResultData(PATIENT, t.test, t.value(i), t.unit, range, collectedAt);
}

const doseData = (administeredAt: string, dose = 1) => ({ patientId: PATIENT, dose, unit: 'MIU', route: 'SC', administeredAt });

/** The patient's stream and alert events, `events` patient events long. */
function trial(events: number): { stream: StoredEvent[]; alertEvents: StoredEvent[] } {
  const iso = (ms: number) => new Date(ms).toISOString();
  const specs: EventSpec[] = [{ ...enrolled(PATIENT, iso(START - 86_400_000)), recordedAt: iso(START - 86_400_000) }];
  const labs: { eventId: string; data: LabResultRecordedData }[] = [];
  const doses: { eventId: string; data: ReturnType<typeof doseData> }[] = [];
  const voided = new Set<string>();
  const alerts: EventSpec[][] = [];
  for (let i = 1; i < events; i++) {
    const now = START + i * STEP_MS;
    const recordedAt = iso(now);
    const eventId = `e-${i}`;
    const slot = i % 100;
    if (slot < 50) {
      // One result in twenty is recorded a day after collection (a late lab).
      const collectedAt = iso(slot % 20 === 7 ? now - 86_400_000 : now - 3_600_000);
      const data = labData(i, collectedAt);
      labs.push({ eventId, data });
      specs.push({ type: 'LabResultRecorded', eventId, data, recordedAt });
      if (data.test === 'PLAT' && data.value < 80) alerts.push(alertSpecs(eventId, data, recordedAt, i));
    } else if (slot < 95) {
      const data = doseData(iso(now - 600_000), slot === 60 ? 2 : 1);
      doses.push({ eventId, data });
      specs.push({ type: 'DoseAdministered', eventId, data, recordedAt });
    } else if (slot === 95) {
      specs.push({
        type: 'AdverseEventReported',
        eventId,
        data: { patientId: PATIENT, term: 'Injection site reaction', onsetAt: iso(now - 7_200_000), grade: 1, serious: false },
        recordedAt,
      });
    } else if (slot === 96 || slot === 97) {
      const target = labs[labs.length - 1 - (i % 7)];
      const newValues = { ...target.data, value: target.data.value + 1, normalised: { ...target.data.normalised, value: target.data.value + 1 } };
      specs.push(labCorrection(target, newValues, 'transcription', recordedAt, eventId));
      target.data = newValues;
    } else if (slot === 98) {
      const target = doses[doses.length - 1];
      const newValues = { ...target.data, lot: `LOT-${i}` };
      specs.push({
        type: 'DoseCorrected',
        eventId,
        data: { patientId: PATIENT, originalEventId: target.eventId, oldValues: target.data, newValues, changedFields: ['lot'], reason: 'lot entered late' },
        occurredAt: recordedAt,
        recordedAt,
      });
      target.data = newValues;
    } else {
      const target = labs.find((lab, k) => k % 13 === 5 && !voided.has(lab.eventId)) ?? labs[0];
      voided.add(target.eventId);
      specs.push(labVoid(target, 'haemolysed sample', recordedAt, eventId));
    }
  }
  const alertEvents = alerts.flatMap((alert, n) => storedStream(`alert-A-${n}`, alert));
  // As the store hands events back: parsed from its rows one after another. (Built in place among the
  // hashing's garbage, the same objects are scattered over the heap and every read of them is slower.)
  return { stream: asRead(storedStream(`patient-${PATIENT}`, specs)), alertEvents: asRead(alertEvents) };
}

const asRead = (events: StoredEvent[]): StoredEvent[] => JSON.parse(JSON.stringify(events)) as StoredEvent[];

function alertSpecs(triggeredBy: string, lab: LabResultRecordedData, recordedAt: string, i: number): EventSpec[] {
  const raisedAt = new Date(Date.parse(recordedAt) + 1000).toISOString();
  const raised = {
    alertId: `A-${i}`,
    ruleId: 'TR-PLT',
    patientId: PATIENT,
    siteId: 'SAT',
    triggeredBy,
    value: lab.value,
    unit: lab.unit,
    normalisedValue: lab.normalised.value,
    normalisedUnit: lab.normalised.unit,
    threshold: 80,
    thresholdUnit: '10*9/L',
    grade: 1,
    severity: 'warning',
    message: `Platelets ${lab.value} below 80 (TR-PLT)`,
    raisedAt,
  };
  const ackAt = new Date(Date.parse(recordedAt) + 3_600_000).toISOString();
  return [
    { type: 'AlertRaised', data: raised, occurredAt: raisedAt, recordedAt: raisedAt },
    {
      type: 'AlertAcknowledged',
      data: { alertId: `A-${i}`, by: { userId: 'u-so', name: 'Sam', role: 'safety_officer' }, acknowledgedAt: ackAt },
      occurredAt: ackAt,
      recordedAt: ackAt,
    },
  ];
}

/** Every lab result graded, through one chart of the state (as a replay grades them). */
function gradeAll(state: PatientState): number {
  const chart = domain.PatientChart.of(state);
  let graded = 0;
  for (const entry of Object.values(state.labs)) {
    if (entry.voided) continue;
    domain.assessLabResult(state, chart, { eventId: entry.eventId, data: entry.current });
    graded++;
  }
  return graded;
}

/** Wall-clock and CPU milliseconds of `work`: on a shared machine the CPU time shows the work without the waiting. */
function time<T>(work: () => T): { ms: number; cpuMs: number; result: T } {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = work();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1e3, result };
}

function summary(label: string, samples: number[], unit = 'ms'): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const digits = unit === 'ms' ? 2 : 1;
  const figures = `median ${at(0.5).toFixed(digits)} ${unit}, p99 ${at(0.99).toFixed(digits)} ${unit}, min ${sorted[0].toFixed(digits)}`;
  return `${label.padEnd(40)} ${figures} (${samples.length} runs)`;
}

const { stream, alertEvents } = trial(total);
const asOf = new Date().toISOString();
console.log(
  `stream: ${stream.length} patient events (${stream.filter((e) => e.type === 'LabResultRecorded').length} lab results), ` +
    `${alertEvents.length} alert events; ${runs} runs after one cold run`,
);

const phases = { fold: [] as number[], grading: [] as number[], replay: [] as number[], replayCpu: [] as number[] };
let snapshot: ReturnType<typeof replayPatientAt> | undefined;
for (let run = 0; run <= runs; run++) {
  const folded = time(() => replayPatient(stream));
  const graded = time(() => gradeAll(folded.result));
  const replayed = time(() => replayPatientAt(PATIENT, stream, alertEvents, { asOf }));
  if (run === 0) {
    console.log(
      `cold: fold ${folded.ms.toFixed(1)} ms, grading ${graded.ms.toFixed(1)} ms (${graded.result} results), replayPatientAt ${replayed.ms.toFixed(1)} ms`,
    );
    continue;
  }
  phases.fold.push(folded.ms);
  phases.grading.push(graded.ms);
  phases.replay.push(replayed.ms);
  phases.replayCpu.push(replayed.cpuMs);
  snapshot = replayed.result;
}
console.log(summary('fold (replayPatient)', phases.fold));
console.log(summary('grading (every lab result)', phases.grading));
console.log(summary('replayPatientAt ?asOf= (end to end)', phases.replay));
console.log(summary('replayPatientAt ?asOf=, CPU time', phases.replayCpu));
if (snapshot)
  console.log(
    `snapshot: ${snapshot.labs.length} labs, ${snapshot.doses.length} doses, ${snapshot.adverseEvents.length} adverse events, ${snapshot.alerts.length} alerts`,
  );

// The command path: the repository keeps the folded state and evolves each appended event onto it.
const head = replayPatient(stream);
const perEvent: number[] = [];
let state = head;
const extra = 2_000;
for (let i = 0; i < extra; i++) {
  const at = new Date(START + (total + i) * STEP_MS).toISOString();
  const stored = toPatientEvent({ eventId: `x-${i}`, type: 'LabResultRecorded', schemaVersion: 2, data: labData(total + i, at) });
  const started = process.hrtime.bigint();
  state = evolve(state, stored);
  perEvent.push(Number(process.hrtime.bigint() - started) / 1e3);
}
console.log(summary(`evolve one lab onto ${total} events`, perEvent.slice(extra / 10), 'µs'));

// The summary `GET /patients/:id/state` answers by default, from the whole stream and from a snapshot.
const now = new Date();
const summaryPhases = {
  fold: [] as number[],
  chart: [] as number[],
  facts: [] as number[],
  summary: [] as number[],
  fromSnapshot: [] as number[],
  tail: [] as number[],
};
const every = 1_000;
const taken = foldPatientAt(PATIENT, stream, alertEvents, { asOf }, { every }).taken;
const tailFrom = foldPatientAt(PATIENT, stream.slice(0, stream.length - 500), alertEvents, { asOf }, { every }).taken;
for (let run = 0; run <= runs; run++) {
  const folded = time(() => foldPatientAt(PATIENT, stream, alertEvents, { asOf }));
  const chart = time(() => domain.PatientChart.of(folded.result.state));
  const facts = time(() => domain.safetyFactsOf(folded.result.state, chart.result, now));
  const whole = time(() => stateSummaryOf(foldPatientAt(PATIENT, stream, alertEvents, { asOf }), { now }));
  const resumed = time(() => stateSummaryOf(foldPatientAt(PATIENT, stream, alertEvents, { asOf }, { from: taken, every }), { now }));
  const tail = time(() => stateSummaryOf(foldPatientAt(PATIENT, stream, alertEvents, { asOf }, { from: tailFrom, every }), { now }));
  if (run === 0) continue;
  summaryPhases.fold.push(folded.ms);
  summaryPhases.chart.push(chart.ms);
  summaryPhases.facts.push(facts.ms);
  summaryPhases.summary.push(whole.ms);
  summaryPhases.fromSnapshot.push(resumed.ms);
  summaryPhases.tail.push(tail.ms);
}
console.log(`snapshots every ${every}: taken at ${taken?.version}; the tail case resumes from ${tailFrom?.version}`);
console.log(summary('foldPatientAt, whole stream', summaryPhases.fold));
console.log(summary('PatientChart.of', summaryPhases.chart));
console.log(summary('safetyFactsOf', summaryPhases.facts));
console.log(summary('summary, whole stream', summaryPhases.summary));
console.log(summary('summary, from a snapshot at the head', summaryPhases.fromSnapshot));
console.log(summary('summary, snapshot + tail', summaryPhases.tail));
