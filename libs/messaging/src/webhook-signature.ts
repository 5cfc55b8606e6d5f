import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signature, sent as `X-Vigil-Signature: sha256=<hex>`:
 * the lowercase hex HMAC-SHA256 of the exact request body bytes (UTF-8), keyed with the shared
 * secret (`VIGIL_ALERT_WEBHOOK_SECRET`). A receiver recomputes it over the raw body before parsing
 * and compares in constant time (`verifyWebhookSignature`). Retries resend the identical body and
 * signature; `X-Vigil-Event-Id` lets the receiver drop a repeat.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Vigil-Signature';

export function signWebhookBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifyWebhookSignature(body: string | Buffer, signature: string | undefined, secret: string): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signWebhookBody(body, secret));
  const given = Buffer.from(signature.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}
