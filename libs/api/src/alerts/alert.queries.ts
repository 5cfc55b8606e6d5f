import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AlertNotFoundError } from '@vigil/domain';
import { AlertFilter, AlertList, AlertPage, AlertView } from '@vigil/projections';
import type { SiteScope } from '../auth/site-scope';

export class ListAlerts {
  constructor(
    readonly filter: Omit<AlertFilter, 'sites'>,
    /** The sites the user sees (set by the access guard). */
    readonly scope: SiteScope,
  ) {}
}

export class GetAlert {
  constructor(readonly alertId: string) {}
}

@QueryHandler(ListAlerts)
export class ListAlertsHandler implements IQueryHandler<ListAlerts, AlertPage> {
  constructor(private readonly alerts: AlertList) {}

  async execute({ filter, scope }: ListAlerts): Promise<AlertPage> {
    return this.alerts.find({ ...filter, ...(scope === 'all' ? {} : { sites: scope }) });
  }
}

@QueryHandler(GetAlert)
export class GetAlertHandler implements IQueryHandler<GetAlert, AlertView> {
  constructor(private readonly alerts: AlertList) {}

  async execute({ alertId }: GetAlert): Promise<AlertView> {
    const alert = await this.alerts.get(alertId);
    if (!alert) throw new AlertNotFoundError(alertId);
    return alert;
  }
}
