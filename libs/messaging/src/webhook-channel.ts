import type { StoredEvent } from '@vigil/event-store';
import { AlertChannel, DeliveryFailedError, DeliveryReceipt } from './alert-channel';
import { alertIdOf, alertMessageBody } from './alert-message';
import { WEBHOOK_SIGNATURE_HEADER, signWebhookBody } from './webhook-signature';

export interface WebhookChannelOptions {
  url: string;
  /** Shared secret for `X-Vigil-Signature` (webhook-signature.ts). */
  secret: string;
  /** Per request (default 10 s): a receiver that hangs counts as down. */
  timeoutMs?: number;
}

/** POSTs each alert event as signed JSON; a 2xx answer is a delivery, anything else a failure. */
export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook';

  constructor(private readonly options: WebhookChannelOptions) {
    if (!options.secret) throw new Error('a webhook channel needs a signing secret');
  }

  async deliver(alertEvent: StoredEvent): Promise<DeliveryReceipt> {
    return postSigned(this.name, this.options, alertMessageBody(alertEvent), {
      'X-Vigil-Event-Id': alertEvent.eventId,
      'X-Vigil-Alert-Id': alertIdOf(alertEvent),
      'X-Vigil-Event-Type': alertEvent.type,
    });
  }
}

/** POSTs `body` as JSON with its X-Vigil-Signature; a 2xx answer is a delivery, anything else a DeliveryFailedError. */
export async function postSigned(channel: string, options: WebhookChannelOptions, body: string, headers: Record<string, string>): Promise<DeliveryReceipt> {
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(body, options.secret), ...headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    // fetch reports the network cause (ECONNREFUSED, timeout…) beneath a generic "fetch failed".
    const failure = error as { message?: string; cause?: { code?: string; message?: string } } | undefined;
    const reason = failure?.cause?.code ?? failure?.cause?.message ?? failure?.message ?? String(error);
    throw new DeliveryFailedError(channel, `POST ${options.url} failed: ${reason}`);
  }
  // Drain the body so the connection is released; its content does not matter.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new DeliveryFailedError(channel, `POST ${options.url} answered ${response.status}`, response.status);
  return { statusCode: response.status };
}
