import type { TrialProtocol } from '@vigil/domain';
import { AlertListProjection } from '../alerts/alert-list.projection';
import type { AlertStreams } from '../alerts/alert-streams';
import type { AnyProjection } from '../projection';
import { SafetyProcess } from './safety-process.projection';

/** Everything the projector runs for safety monitoring: the safety process and the alert list. */
export function safetyProjections(alerts: AlertStreams, clock?: () => Date, protocol?: TrialProtocol): AnyProjection[] {
  return [new SafetyProcess(alerts, clock, protocol), new AlertListProjection()];
}
