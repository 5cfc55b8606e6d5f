import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AlertNotFoundError } from '@vigil/domain';
import { AlertFilter, AlertList } from '@vigil/projections';
import type { SiteScope } from '../auth/site-scope';
import { servedAlert, servedAlertPage, type ServedAlert, type ServedAlertPage } from './served-alert';

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
export class ListAlertsHandler implements IQueryHandler<ListAlerts, ServedAlertPage> {
  constructor(private readonly alerts: AlertList) {}

  async execute({ filter, scope }: ListAlerts): Promise<ServedAlertPage> {
    return servedAlertPage(await this.alerts.find({ ...filter, ...(scope === 'all' ? {} : { sites: scope }) }));
  }
}

@QueryHandler(GetAlert)
export class GetAlertHandler implements IQueryHandler<GetAlert, ServedAlert> {
  constructor(private readonly alerts: AlertList) {}

  async execute({ alertId }: GetAlert): Promise<ServedAlert> {
    const alert = await this.alerts.get(alertId);
    if (!alert) throw new AlertNotFoundError(alertId);
    return servedAlert(alert);
  }
}
