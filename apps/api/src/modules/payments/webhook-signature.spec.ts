import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook-signature';

const SECRET = 'whsec_test';
const BODY = Buffer.from('{"id":"evt_1","type":"capture.succeeded"}');
const NOW = 1_760_000_000;

describe('webhook signatures (Stripe scheme)', () => {
  it('signs t.body with HMAC-SHA256', () => {
    const hex = createHmac('sha256', SECRET).update(`${NOW}.${BODY.toString()}`).digest('hex');
    expect(signWebhook(BODY, SECRET, NOW)).toBe(`t=${NOW},v1=${hex}`);
  });

  it.each([
    ['a fresh signature', signWebhook(BODY, SECRET, NOW - 10), { ok: true }],
    ['exactly 300 s old', signWebhook(BODY, SECRET, NOW - 300), { ok: true }],
    [
      '301 s old',
      signWebhook(BODY, SECRET, NOW - 301),
      { ok: false, reason: 'signature is too old' },
    ],
    [
      'from the future',
      signWebhook(BODY, SECRET, NOW + 5),
      { ok: false, reason: 'signature timestamp is in the future' },
    ],
    [
      'another secret',
      signWebhook(BODY, 'other', NOW),
      { ok: false, reason: 'signature does not match' },
    ],
    [
      'one of two v1 (rotation)',
      `${signWebhook(BODY, 'old', NOW)},v1=${signWebhook(BODY, SECRET, NOW).split('v1=')[1]}`,
      { ok: true },
    ],
    ['no header', undefined, { ok: false, reason: 'missing signature' }],
    ['garbage', 'v1=zz', { ok: false, reason: 'malformed signature' }],
  ])('%s', (_why, header, expected) => {
    expect(verifyWebhook(BODY, header, SECRET, NOW)).toEqual(expected);
  });

  it('refuses a body changed by one byte', () => {
    const header = signWebhook(BODY, SECRET, NOW);
    const tampered = Buffer.from(BODY.toString().replace('capture', 'Capture'));
    expect(verifyWebhook(tampered, header, SECRET, NOW).ok).toBe(false);
  });
});
