import { describe, expect, it } from 'vitest';
import { signatureHeader, SIGNATURE_HEADER } from '../../src/events/event-signature.js';
import { eventsOn, eventsSecret, missedCall, receiverForFile, redisFor, until } from './event-helpers.js';

const secret = eventsSecret();
const receiver = receiverForFile(secret);

async function aBody(): Promise<{ id: string; body: string }> {
  const { redis } = await redisFor();
  const event = missedCall(eventsOn(redis, { url: receiver().url, secret }).outbox);
  redis.disconnect();
  return { id: event.id, body: JSON.stringify(event) };
}

const post = (body: string, signature: string, signal?: AbortSignal) =>
  fetch(receiver().url, { method: 'POST', body, headers: { [SIGNATURE_HEADER]: signature }, ...(signal === undefined ? {} : { signal }) });

describe('the stand-in event receiver (what the other tests rely on)', () => {
  it('when a request is unsigned, signed with another secret or too old, then it answers 401 and accepts nothing', async () => {
    receiver().mode('ok');
    const { id, body } = await aBody();
    const now = Math.floor(Date.now() / 1000);
    expect((await post(body, '')).status).toBe(401);
    expect((await post(body, signatureHeader(`${secret}-other`, body, now))).status).toBe(401);
    expect((await post(body, signatureHeader(secret, body, now - 3600))).status).toBe(401);
    expect(receiver().events().some((e) => e.id === id)).toBe(false);
    expect((await post(body, signatureHeader(secret, body, now))).status).toBe(200);
    expect(receiver().events().some((e) => e.id === id)).toBe(true);
  });

  it('when a second request for one event arrives while the first is still open, then it is noted as an overlap', async () => {
    receiver().mode('hang');
    const { id, body } = await aBody();
    const header = signatureHeader(secret, body, Math.floor(Date.now() / 1000));
    const aborts = [new AbortController(), new AbortController()];
    const open = aborts.map((abort) => post(body, header, abort.signal).catch(() => undefined));
    await until(() => receiver().attemptsOf(id) === 2);
    expect(receiver().overlaps).toContain(id);
    for (const abort of aborts) abort.abort();
    await Promise.all(open);
  });

  it('when told to redirect, then it answers 302 and a sender that does not follow redirects sees it', async () => {
    receiver().mode('redirect');
    const { body } = await aBody();
    const res = await fetch(receiver().url, {
      method: 'POST',
      body,
      redirect: 'manual',
      headers: { [SIGNATURE_HEADER]: signatureHeader(secret, body, Math.floor(Date.now() / 1000)) },
    });
    expect(res.status).toBe(302);
  });
});
