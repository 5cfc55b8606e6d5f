import type { LabTestCode } from '../events';
import { DAY_MS } from '../instant';
import type { PatientChart, TimedLab } from '../patient/patient-chart';
import { roundSignificant } from '../units/significant';
import { multipleOf } from './ctcae-grades';

/** Hy's law thresholds (docs/safety-rules.md §2, FDA drug-induced liver injury guidance, 2009). */
export const HY_LAW = {
  /** ALT or AST strictly above this many × ULN. */
  transaminaseUln: 3,
  /** Total bilirubin strictly above this many × ULN. */
  bilirubinUln: 2,
  /** Alkaline phosphatase at or above this many × ULN in the window is a cholestatic picture: no Hy's law. */
  alkalinePhosphataseUln: 2,
  /** Transaminase and bilirubin collected within this many days of each other (VIGIL_HY_LAW_WINDOW_DAYS). */
  windowDays: 7,
} as const;

export interface HyLawEpisode {
  /** Stored event id of the result that completed the pair: the episode's key. */
  completedBy: string;
  /** When that result was collected. */
  at: string;
  transaminase: { eventId: string; test: 'ALT' | 'AST'; ulnMultiple: number; collectedAt: string };
  bilirubin: { eventId: string; ulnMultiple: number; collectedAt: string };
  /** The highest alkaline phosphatase measured in the window, if one was (below 2 × ULN). */
  alkalinePhosphatase?: { ulnMultiple: number; collectedAt: string };
}

interface LiverResult {
  lab: TimedLab;
  test: LabTestCode;
  ulnMultiple: number;
}

/**
 * Hy's law episodes of a patient, in clinical order. Results are read in clinical order; an episode opens at
 * the result that completes a pair (ALT or AST > 3 × ULN and bilirubin > 2 × ULN, collected within
 * `windowDays` of each other) when no alkaline phosphatase of 2 × ULN or more was measured within
 * `windowDays` of it; it closes once the latest transaminases and the latest bilirubin are all back at or
 * below their thresholds, and only then can another one open. Results without a ULN cannot be judged.
 */
export function hyLawEpisodes(chart: PatientChart, windowDays: number = HY_LAW.windowDays): HyLawEpisode[] {
  const windowMs = windowDays * DAY_MS;
  const results = liverResults(chart);
  const alkaline = results.filter((r) => r.test === 'ALP');
  const episodes: HyLawEpisode[] = [];
  const latest = new Map<LabTestCode, number>();
  let open = false;
  let start = 0;
  for (let i = 0; i < results.length; i++) {
    const current = results[i];
    latest.set(current.test, current.ulnMultiple);
    if (open) {
      const transaminaseBack = (latest.get('ALT') ?? 0) <= HY_LAW.transaminaseUln && (latest.get('AST') ?? 0) <= HY_LAW.transaminaseUln;
      const bilirubinBack = (latest.get('BILI') ?? 0) <= HY_LAW.bilirubinUln;
      if (transaminaseBack && bilirubinBack) open = false;
      continue;
    }
    if (current.test === 'ALP') continue;
    while (results[start].lab.time < current.lab.time - windowMs) start++;
    let transaminase: LiverResult | undefined;
    let bilirubin: LiverResult | undefined;
    for (let j = start; j <= i; j++) {
      const r = results[j];
      if ((r.test === 'ALT' || r.test === 'AST') && r.ulnMultiple > HY_LAW.transaminaseUln && (!transaminase || r.ulnMultiple > transaminase.ulnMultiple))
        transaminase = r;
      if (r.test === 'BILI' && r.ulnMultiple > HY_LAW.bilirubinUln && (!bilirubin || r.ulnMultiple > bilirubin.ulnMultiple)) bilirubin = r;
    }
    if (!transaminase || !bilirubin) continue;
    const near = alkaline.filter((r) => Math.abs(r.lab.time - current.lab.time) <= windowMs);
    const highestAlp = near.reduce<LiverResult | undefined>((best, r) => (!best || r.ulnMultiple > best.ulnMultiple ? r : best), undefined);
    if (highestAlp && highestAlp.ulnMultiple >= HY_LAW.alkalinePhosphataseUln) continue; // a cholestatic picture
    open = true;
    episodes.push({
      completedBy: current.lab.entry.eventId,
      at: current.lab.entry.current.collectedAt,
      transaminase: {
        eventId: transaminase.lab.entry.eventId,
        test: transaminase.test as 'ALT' | 'AST',
        ulnMultiple: transaminase.ulnMultiple,
        collectedAt: transaminase.lab.entry.current.collectedAt,
      },
      bilirubin: { eventId: bilirubin.lab.entry.eventId, ulnMultiple: bilirubin.ulnMultiple, collectedAt: bilirubin.lab.entry.current.collectedAt },
      ...(highestAlp ? { alkalinePhosphatase: { ulnMultiple: highestAlp.ulnMultiple, collectedAt: highestAlp.lab.entry.current.collectedAt } } : {}),
    });
  }
  return episodes;
}

export const HY_LAW_TESTS: readonly LabTestCode[] = ['ALT', 'AST', 'BILI', 'ALP'];

/** The liver results that carry a ULN, merged in clinical order (ties by recording order), with their multiple of it. */
function liverResults(chart: PatientChart): LiverResult[] {
  const all: LiverResult[] = [];
  for (const test of HY_LAW_TESTS) {
    for (const lab of chart.labsOf(test)) {
      const uln = lab.entry.current.normalised.referenceRange?.high;
      if (uln === undefined || uln <= 0) continue;
      all.push({ lab, test, ulnMultiple: multipleOf(lab.entry.current.normalised.value, uln) });
    }
  }
  return all.sort((a, b) => a.lab.time - b.lab.time || a.lab.entry.recordedSeq - b.lab.entry.recordedSeq);
}

export function hyLawMessage(episode: HyLawEpisode, windowDays: number = HY_LAW.windowDays): string {
  const t = episode.transaminase;
  const b = episode.bilirubin;
  const alp = episode.alkalinePhosphatase ? `, ALP ${roundSignificant(episode.alkalinePhosphatase.ulnMultiple, 3)} × ULN` : ', no ALP measured';
  return (
    `${t.test} ${roundSignificant(t.ulnMultiple, 3)} × ULN (${t.collectedAt.slice(0, 10)}) and bilirubin ${roundSignificant(b.ulnMultiple, 3)} × ULN ` +
    `(${b.collectedAt.slice(0, 10)}) within ${windowDays} days${alp}: Hy's law, a sign of severe drug-induced liver injury (HY-LAW)`
  );
}
