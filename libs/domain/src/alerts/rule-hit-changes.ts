import type { RuleHit } from '../safety/assess-lab-result';

export interface RuleHitChanges {
  /** Rules the result no longer crosses: their open alerts are retracted, naming the correction (docs/safety-rules.md §7). */
  cleared: RuleHit[];
  /** Rules the corrected result crosses and did not before: new alerts. */
  added: RuleHit[];
  /** Rules crossed before and after (with the new values): their alerts stay as they are. */
  kept: RuleHit[];
}

/**
 * What a correction (or a void: `after` = []) of a lab result changes in its rule hits.
 * For an added hit, raise with `alertIdFor(correctionEventId, ruleId)`: the correction is the event that
 * crossed the rule, and an alert once retracted for the original result is never silently reused.
 */
export function ruleHitChanges(before: readonly RuleHit[], after: readonly RuleHit[]): RuleHitChanges {
  const beforeIds = new Set(before.map((h) => h.ruleId));
  const afterIds = new Set(after.map((h) => h.ruleId));
  return {
    cleared: before.filter((h) => !afterIds.has(h.ruleId)),
    added: after.filter((h) => !beforeIds.has(h.ruleId)),
    kept: after.filter((h) => beforeIds.has(h.ruleId)),
  };
}
