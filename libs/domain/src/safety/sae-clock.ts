import type { AdverseEventReportedData } from '../events';
import { DAY_MS, parseInstant, utcDayNumber } from '../instant';

/** Expedited reporting clocks of docs/safety-rules.md §5, as data. */
export const REPORTING_CLOCKS = {
  /** The investigator reports an SAE to the sponsor within 24 hours of knowing it. */
  'SAE-24H': { hours: 24, to: 'sponsor' },
  /** A fatal or life-threatening SUSAR goes to the regulator within 7 calendar days (Day 0 = first knowledge), follow-up within 8 more. */
  'SUSAR-7D': { calendarDays: 7, followUpCalendarDays: 8, to: 'regulator' },
  /** Any other SUSAR: within 15 calendar days. */
  'SUSAR-15D': { calendarDays: 15, to: 'regulator' },
} as const;

export interface SaeReportingDeadline {
  ruleId: 'SAE-24H';
  /** ISO-8601 UTC. */
  deadline: string;
  knownAt: string;
  hours: number;
}

/**
 * The 24-hour SAE clock (docs/safety-rules.md §5) of a serious adverse event, null for a non-serious one.
 * `knownAt` is when the investigator knew it: in Vigil, the recording time of the event that made it
 * serious (its report, or the correction that turned it serious).
 */
export function saeReportingDeadline(ae: Pick<AdverseEventReportedData, 'serious'>, knownAt: string | Date): SaeReportingDeadline | null {
  if (!ae.serious) return null;
  const known = knownAt instanceof Date ? knownAt : parseInstant('knownAt', knownAt);
  const hours = REPORTING_CLOCKS['SAE-24H'].hours;
  return { ruleId: 'SAE-24H', deadline: new Date(known.getTime() + hours * 3_600_000).toISOString(), knownAt: known.toISOString(), hours };
}

export interface SusarReportingDeadline {
  ruleId: 'SUSAR-7D' | 'SUSAR-15D';
  /** End of the last calendar day (UTC) the report is due, ISO-8601. */
  deadline: string;
  /** Follow-up report due (fatal or life-threatening SUSARs only). */
  followUpDeadline?: string;
  firstKnownAt: string;
}

/**
 * The regulator's clock for a SUSAR (docs/safety-rules.md §5). Whether the reaction is unexpected is a
 * judgement against the reference safety information, so the caller says so; a reaction is suspected
 * when the relatedness is possible, probable or definite. Null when the event is no SUSAR.
 * Calendar days are UTC days; Day 0 is the day of first knowledge, so a 7-day clock ends at the end of Day 7.
 */
export function susarReportingDeadline(
  ae: Pick<AdverseEventReportedData, 'serious' | 'seriousnessCriteria' | 'relatedness' | 'outcome' | 'grade'>,
  firstKnownAt: string | Date,
  unexpected: boolean,
): SusarReportingDeadline | null {
  const suspected = ae.relatedness === 'possible' || ae.relatedness === 'probable' || ae.relatedness === 'definite';
  if (!ae.serious || !suspected || !unexpected) return null;
  const known = firstKnownAt instanceof Date ? firstKnownAt : parseInstant('firstKnownAt', firstKnownAt);
  const criteria = ae.seriousnessCriteria ?? [];
  const fatalOrLifeThreatening = criteria.includes('death') || criteria.includes('life-threatening') || ae.outcome === 'fatal' || ae.grade === 5;
  const day0 = utcDayNumber(known);
  const endOfDay = (day: number) => new Date((day + 1) * DAY_MS - 1).toISOString();
  if (fatalOrLifeThreatening) {
    const clock = REPORTING_CLOCKS['SUSAR-7D'];
    return {
      ruleId: 'SUSAR-7D',
      deadline: endOfDay(day0 + clock.calendarDays),
      followUpDeadline: endOfDay(day0 + clock.calendarDays + clock.followUpCalendarDays),
      firstKnownAt: known.toISOString(),
    };
  }
  return { ruleId: 'SUSAR-15D', deadline: endOfDay(day0 + REPORTING_CLOCKS['SUSAR-15D'].calendarDays), firstKnownAt: known.toISOString() };
}
