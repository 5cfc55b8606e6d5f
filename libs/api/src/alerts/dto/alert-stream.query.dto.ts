import { PickType } from '@nestjs/swagger';
import { ListAlertsQueryDto } from './list-alerts.query.dto';

/** Query string of `GET /alerts/stream`: the filters of `GET /alerts` (a stream has no pages). */
export class AlertStreamQueryDto extends PickType(ListAlertsQueryDto, ['status', 'patientId', 'siteId', 'severity', 'ruleId'] as const) {}
