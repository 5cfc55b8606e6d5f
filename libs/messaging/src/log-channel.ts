import { Logger } from '@nestjs/common';
import type { StoredEvent } from '@vigil/event-store';
import type { AlertChannel } from './alert-channel';
import { alertMessage } from './alert-message';

/** Writes each alert event as one structured log line (context `AlertLog`). */
export class LogChannel implements AlertChannel {
  readonly name = 'log';

  constructor(private readonly logger: Pick<Logger, 'log' | 'warn'> = new Logger('AlertLog')) {}

  async deliver(alertEvent: StoredEvent): Promise<void> {
    const line = JSON.stringify(alertMessage(alertEvent));
    // What asks for attention is a warning: a new alert, an overdue one, one a correction changed.
    if (alertEvent.type === 'AlertRaised' || alertEvent.type === 'AlertEscalated' || alertEvent.type === 'AlertUpdated') this.logger.warn(line);
    else this.logger.log(line);
  }
}
