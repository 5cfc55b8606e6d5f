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
    if (alertEvent.type === 'AlertRaised' || alertEvent.type === 'AlertEscalated') this.logger.warn(line);
    else this.logger.log(line);
  }
}
