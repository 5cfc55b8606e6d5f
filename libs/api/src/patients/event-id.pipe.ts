import { Injectable, PipeTransform } from '@nestjs/common';
import { badRequest } from '../http/validation';

const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Recorded events are named by their UUID event id (as `GET /patients/:id/events` shows it). */
@Injectable()
export class EventIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!EVENT_ID.test(value)) throw badRequest([{ field: 'eventId', reason: 'must be the UUID of a recorded event' }]);
    return value.toLowerCase();
  }
}
