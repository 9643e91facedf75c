import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Stripe's webhook signature scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 * The HMAC covers the exact bytes received (never a re-serialized body) and the timestamp, so a
 * captured delivery cannot be replayed later with a fresh `t`.
 */
export const SIGNATURE_HEADER = 'x-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function signWebhook(body: string | Buffer, secret: string, timestampSeconds: number) {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Constant-time check of every `v1` in the header (several during a secret rotation). */
export function verifyWebhook(
  body: Buffer,
  header: string | undefined,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing signature' };
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2).map((s) => s.trim());
    if (key === 't' && /^\d{1,12}$/.test(value ?? '')) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')) signatures.push(value);
  }
  if (t === undefined || signatures.length === 0)
    return { ok: false, reason: 'malformed signature' };
  if (t > nowSeconds + 0) return { ok: false, reason: 'signature timestamp is in the future' };
  if (nowSeconds - t > toleranceSeconds) return { ok: false, reason: 'signature is too old' };
  const expected = Buffer.from(signWebhook(body, secret, t).slice(`t=${t},v1=`.length), 'hex');
  const match = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return match ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
