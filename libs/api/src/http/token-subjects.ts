import type { FastifyRequest } from 'fastify';

const SUBJECT = Symbol('vigil.rateLimitSubject');
/** Distinct Authorization headers whose subjects are kept; more, and the kept ones are forgotten. */
const KEPT_SUBJECTS = 1_000;
/** Headers longer than this are decoded each time, not kept: the memory kept stays bounded whatever clients send. */
const KEPT_HEADER_LENGTH = 8_192;

/**
 * The `sub` of a bearer token, read without verifying it: only to count requests (the guards verify it).
 * Read once per request, and once per distinct header while it is among the last KEPT_SUBJECTS seen: a
 * client sends the same token with every request (decoding it was a percent of a lab-result POST's CPU).
 */
export class TokenSubjects {
  private readonly kept = new Map<string, string | null>();

  of(request: FastifyRequest): string | null {
    const cached = (request as unknown as Record<symbol, string | null | undefined>)[SUBJECT];
    if (cached !== undefined) return cached;
    return ((request as unknown as Record<symbol, string | null>)[SUBJECT] = this.ofHeader(request.headers.authorization));
  }

  private ofHeader(header: string | undefined): string | null {
    if (typeof header !== 'string') return null;
    const kept = this.kept.get(header);
    if (kept !== undefined) return kept;
    const subject = subjectOf(header);
    if (header.length > KEPT_HEADER_LENGTH) return subject;
    if (this.kept.size >= KEPT_SUBJECTS) this.kept.clear();
    this.kept.set(header, subject);
    return subject;
  }
}

function subjectOf(header: string): string | null {
  if (!header.startsWith('Bearer ')) return null;
  const payload = header.slice(7).split('.')[1];
  if (!payload || payload.length > 4096) return null;
  try {
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub.length <= 256 ? sub : null;
  } catch {
    return null;
  }
}
