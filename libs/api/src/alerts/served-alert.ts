import { isOverdue } from '@vigil/domain';
import type { AlertPage, AlertView } from '@vigil/projections';

/** An alert as the API serves it: the alert list's view, and what only the time of reading can say. */
export interface ServedAlert extends AlertView {
  /** Its deadline has passed and its clock still runs (docs/safety-rules.md §5): computed at `now`, never stored. */
  overdue: boolean;
}

export interface ServedAlertPage extends Omit<AlertPage, 'items'> {
  items: ServedAlert[];
}

export const servedAlert = (alert: AlertView, now: Date = new Date()): ServedAlert => ({ ...alert, overdue: isOverdue(alert, now) });

export const servedAlertPage = (page: AlertPage, now: Date = new Date()): ServedAlertPage => ({
  ...page,
  items: page.items.map((alert) => servedAlert(alert, now)),
});
