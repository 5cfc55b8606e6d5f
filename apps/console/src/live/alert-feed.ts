import { parseEventStream } from './event-stream';
import type { Alert } from '../api/types';

/** One alert event of GET /alerts/stream. */
export interface AlertEvent {
  eventId: string;
  type: string;
  alertId: string;
  patientId: string;
  siteId: string;
  ruleId?: string;
  position: number;
  alert?: Alert;
}

export type FeedState = 'connecting' | 'live' | 'polling';

export interface AlertFeedOptions {
  token: string;
  /** The filters of GET /alerts (status, siteId, ruleId, patientId). */
  filters: Record<string, string | undefined>;
  onEvent: (event: AlertEvent) => void;
  /** While the stream is down: called every `pollMs` so the page re-reads the list. */
  onPoll: () => void;
  onState: (state: FeedState) => void;
  pollMs?: number;
}

/**
 * Follows GET /alerts/stream with fetch (an EventSource cannot send the bearer token), resuming after the
 * last event id it saw. When the stream drops, the page polls until it is back.
 */
export function followAlerts(options: AlertFeedOptions): () => void {
  const controller = new AbortController();
  let lastEventId: string | undefined;
  let pollTimer: number | undefined;
  let retryMs = 1000;
  const query = new URLSearchParams(Object.entries(options.filters).filter((e): e is [string, string] => !!e[1]));

  const startPolling = () => {
    options.onState('polling');
    if (pollTimer === undefined) pollTimer = window.setInterval(options.onPoll, options.pollMs ?? 5000);
  };
  const stopPolling = () => {
    window.clearInterval(pollTimer);
    pollTimer = undefined;
  };

  const connect = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(`/alerts/stream?${query}`, {
          headers: { Authorization: `Bearer ${options.token}`, Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        stopPolling();
        options.onState('live');
        // Whatever happened while the stream was down is read once more from the list.
        if (retryMs > 1000) options.onPoll();
        retryMs = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const { messages, rest } = parseEventStream(buffer + value);
          buffer = rest;
          for (const message of messages) {
            if (message.id) lastEventId = message.id;
            options.onEvent(JSON.parse(message.data) as AlertEvent);
          }
        }
        throw new Error('stream ended');
      } catch {
        if (controller.signal.aborted) return;
        startPolling();
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(retryMs * 2, 30_000);
      }
    }
  };

  options.onState('connecting');
  void connect();
  return () => {
    controller.abort();
    stopPolling();
  };
}
