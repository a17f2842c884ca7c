import type { Clock } from '../clock.js';
import { AppError, UnavailableError } from '../errors.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/connect-redis.js';
import { isLate, scriptDeadline } from '../redis/deadline.js';
import { keys } from '../redis/keys.js';
import { withRedis } from '../redis/redis-errors.js';
import { generatePin, hashPin } from './pin-code.js';

/** Whose PIN it is. */
export interface PinOwner {
  accountId: string;
  userId: string;
}

export interface IssuedPin {
  pin: string;
  expiresAt: number;
}

export interface PinStore {
  issue: (owner: PinOwner) => Promise<IssuedPin>;
  status: (owner: PinOwner) => Promise<{ active: boolean; expiresAt: number | null }>;
  /** Revokes the live PIN of each owner; returns how many there were. */
  revoke: (owners: PinOwner[]) => Promise<number>;
  /** The owner of a live PIN, without using it up. */
  find: (pin: string) => Promise<(PinOwner & { expiresAt: number }) | undefined>;
  /**
   * Uses the PIN up if it is still live and still `owner`'s; true for exactly one of racing callers.
   * Redis does nothing if it only gets to it after `notAfter` (epoch ms, real time).
   */
  consume: (pin: string, owner: PinOwner, notAfter?: number) => Promise<boolean>;
  /** How many PINs are live now (for the risk metric). */
  liveCount: () => Promise<number>;
}

const HOUR_MS = 3_600_000;
// With 10^8 possible PINs and a few thousand live ones a collision is rare; ten in a row means a bug.
const MAX_DRAWS = 10;

const ownerKey = (owner: PinOwner): string => `${owner.accountId}/${owner.userId}`;

function parseRecord(record: string): { head: string; expiresAt: number } | undefined {
  const bar = record.lastIndexOf('|');
  if (bar < 0) return undefined;
  return { head: record.slice(0, bar), expiresAt: Number(record.slice(bar + 1)) };
}

function parseOwner(owner: string): PinOwner | undefined {
  const [accountId, userId, ...rest] = owner.split('/');
  return accountId === undefined || userId === undefined || rest.length > 0 ? undefined : { accountId, userId };
}

export function createPinStore(
  redis: RedisClient,
  clock: Clock,
  options: { secret: string; pin: Policy['pin']; drawPin?: (digits: number) => string },
): PinStore {
  const { secret, pin: settings, drawPin = generatePin } = options;
  const pinKeys = [keys.pinsByHash, keys.pinsByOwner, keys.pinExpiry];

  async function runScript(call: () => Promise<unknown>): Promise<unknown[]> {
    const reply = await withRedis(call);
    if (isLate(reply)) throw new UnavailableError('script ran after its deadline');
    if (!Array.isArray(reply)) throw new Error('unexpected reply from a PIN script');
    return reply as unknown[];
  }

  async function issue(owner: PinOwner): Promise<IssuedPin> {
    for (let draw = 0; draw < MAX_DRAWS; draw += 1) {
      const pin = drawPin(settings.digits);
      const now = clock.now();
      const expiresAt = now + settings.ttlSeconds * 1000;
      const [outcome, retryAfterMs] = await runScript(() =>
        redis.issuePin(
          ...pinKeys,
          keys.pinIssues(ownerKey(owner)),
          scriptDeadline(),
          now,
          hashPin(secret, pin),
          ownerKey(owner),
          expiresAt,
          HOUR_MS,
          settings.issuesPerUserPerHour,
        ),
      );
      if (outcome === 'ok') return { pin, expiresAt };
      if (outcome === 'rate_limited') {
        const retryAfterSeconds = Math.max(1, Math.ceil(Number(retryAfterMs) / 1000));
        throw new AppError(429, 'rate_limited', 'Too many PINs issued for this user; try again later.', {
          retryAfterSeconds,
        });
      }
    }
    throw new Error('could not draw a PIN unique among live PINs');
  }

  async function status(owner: PinOwner): Promise<{ active: boolean; expiresAt: number | null }> {
    const record = await withRedis(() => redis.hget(keys.pinsByOwner, ownerKey(owner)));
    const parsed = record === null ? undefined : parseRecord(record);
    if (parsed === undefined || parsed.expiresAt <= clock.now()) return { active: false, expiresAt: null };
    return { active: true, expiresAt: parsed.expiresAt };
  }

  async function revoke(owners: PinOwner[]): Promise<number> {
    if (owners.length === 0) return 0;
    const [, revoked] = await runScript(() => redis.revokePins(...pinKeys, scriptDeadline(), ...owners.map(ownerKey)));
    return Number(revoked);
  }

  async function find(pin: string): Promise<(PinOwner & { expiresAt: number }) | undefined> {
    const record = await withRedis(() => redis.hget(keys.pinsByHash, hashPin(secret, pin)));
    const parsed = record === null ? undefined : parseRecord(record);
    if (parsed === undefined || parsed.expiresAt <= clock.now()) return undefined;
    const owner = parseOwner(parsed.head);
    return owner === undefined ? undefined : { ...owner, expiresAt: parsed.expiresAt };
  }

  async function consume(pin: string, owner: PinOwner, notAfter?: number): Promise<boolean> {
    const [outcome] = await runScript(() =>
      redis.consumePin(...pinKeys, scriptDeadline(notAfter), clock.now(), hashPin(secret, pin), ownerKey(owner)),
    );
    return outcome === 'ok';
  }

  const liveCount = () => withRedis(() => redis.zcount(keys.pinExpiry, `(${String(clock.now())}`, '+inf'));

  return { issue, status, revoke, find, consume, liveCount };
}
