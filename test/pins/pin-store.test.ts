import { afterAll, describe, expect, it } from 'vitest';
import { createPinStore } from '../../src/pins/pin-store.js';
import { generatePin } from '../../src/pins/pin-code.js';
import { newId } from '../helpers/givens.js';
import { rememberSecret } from '../helpers/leak-watch.js';
import { buildTestApp } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());

function storeDrawing(...pins: string[]) {
  pins.forEach(rememberSecret);
  const queue = [...pins];
  return createPinStore(t.redis, t.clock, {
    secret: t.config.pinSecret,
    pin: t.policy.pin,
    drawPin: (digits) => queue.shift() ?? generatePin(digits),
  });
}
const owner = () => ({ accountId: newId('acct'), userId: newId('user') });

/** Every string Redis holds under this app's prefix: key names, hash fields and values, set members. */
async function everythingInRedis(): Promise<string[]> {
  const found: string[] = [];
  const keys = await t.redis.keys(`${t.prefix}*`);
  for (const key of keys.map((k) => k.slice(t.prefix.length))) {
    found.push(key);
    const type = await t.redis.type(key);
    if (type === 'hash') found.push(...Object.entries(await t.redis.hgetall(key)).flat());
    if (type === 'zset') found.push(...(await t.redis.zrange(key, '0', '-1', 'WITHSCORES')));
    if (type === 'string') found.push((await t.redis.get(key)) ?? '');
  }
  return found;
}

describe('PIN store', () => {
  it('when a PIN starts with zeros, then exactly that PIN works, not the number it spells', async () => {
    const store = storeDrawing('00012345');
    const who = owner();
    const issued = await store.issue(who);

    expect(issued.pin).toBe('00012345');
    expect(await store.find('00012345')).toMatchObject(who);
    expect(await store.find('12345')).toBeUndefined();
    expect(await store.find('0012345')).toBeUndefined();
  });

  it('when the policy\'s account code length changes, then the next PIN shows a new code of the new length (the old one could never be typed)', async () => {
    const who = owner();
    const six = await storeDrawing().issue(who);
    expect(six.accountCode).toMatch(/^\d{6}$/);
    const eight = await createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: t.policy.pin, accountCodeDigits: 8 }).issue(who);
    expect(eight.accountCode).toMatch(/^\d{8}$/);
  });

  it('when PINs are live, then Redis holds only their HMACs, never the digits', async () => {
    const pins = ['31415926', '27182818', '16180339'];
    const store = storeDrawing(...pins);
    for (const _pin of pins) await store.issue(owner());

    const stored = await everythingInRedis();
    expect(stored.length).toBeGreaterThan(0);
    for (const pin of pins) expect(stored.filter((value) => value.includes(pin))).toEqual([]);
  });

  it('when a drawn PIN is already live for someone else, then another is drawn', async () => {
    const store = storeDrawing('55555555', '55555555', '66666666');
    const first = owner();
    const second = owner();
    expect((await store.issue(first)).pin).toBe('55555555');
    expect((await store.issue(second)).pin).toBe('66666666');
    expect(await store.find('55555555')).toMatchObject(first);
  });

  it('when a user has five PINs issued within an hour, then the sixth is refused with the wait until the oldest ages out', async () => {
    const store = storeDrawing();
    const who = owner();
    for (let i = 0; i < 5; i += 1) {
      await store.issue(who);
      t.clock.advance(60_000);
    }
    await expect(store.issue(who)).rejects.toMatchObject({
      status: 429,
      code: 'rate_limited',
      extra: { retryAfterSeconds: 3600 - 5 * 60 },
    });
    t.clock.advance((3600 - 5 * 60) * 1000);
    await expect(store.issue(who)).resolves.toMatchObject({ pin: expect.stringMatching(/^\d{8}$/) as unknown });
  });

  it('when expired PINs pile up, then issuing prunes them so the index does not grow without bound', async () => {
    const store = storeDrawing();
    for (let i = 0; i < 20; i += 1) await store.issue(owner());
    t.clock.advance(t.policy.pin.ttlSeconds * 1000 + 1);
    await store.issue(owner());
    expect(await t.redis.zcard('callgate:{line}:pins:expiry')).toBe(1);
    expect(await t.redis.hlen('callgate:{line}:pins:by-hash')).toBe(1);
    expect(await t.redis.hlen('callgate:{line}:pins:by-owner')).toBe(1);
  });

  it('when an account holds as many live PINs as the policy allows, then a new user is refused one, a user who holds one may replace it, and the account keeps its one code', async () => {
    const store = createPinStore(t.redis, t.clock, { secret: t.config.pinSecret, pin: { ...t.policy.pin, livePerAccount: 3 } });
    const accountId = newId('acct');
    const users = [newId('user'), newId('user'), newId('user')];
    const codes = new Set<string>();
    for (const userId of users) codes.add((await store.issue({ accountId, userId })).accountCode);
    expect(codes.size).toBe(1);

    await expect(store.issue({ accountId, userId: newId('user') })).rejects.toMatchObject({ status: 409, code: 'too_many_live_pins' });
    const replaced = await store.issue({ accountId, userId: users[0] ?? '' });
    expect(codes.has(replaced.accountCode)).toBe(true);
    // Another account never gets the same code.
    expect(codes.has((await store.issue(owner())).accountCode)).toBe(false);
  });
});
