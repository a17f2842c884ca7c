import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTACT_ROLES, PERMISSIONS } from '../../src/directory/directory-schema.js';
import { createDirectoryStore } from '../../src/directory/directory-store.js';
import { accountCard, createLineCopy, userCard } from '../../src/directory/line-copy.js';
import { createLogger } from '../../src/logger.js';
import { api, givenAccount } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';

/*
 * The line's copy of the directory (src/directory/line-copy.ts) under concurrent changes through
 * the API and concurrent calls copying what they read (as a call that could not trust the copy
 * does): once everything has answered, no account is left marked as changing and every card says
 * what the directory says, so the next call decides on the directory as it is.
 */
const t = await buildTestApp();
afterAll(() => t.close());
const store = createDirectoryStore(t.redis);
const copy = createLineCopy({ redis: t.redis, log: createLogger({ level: 'silent' }) });
const USERS = ['u1', 'u2', 'u3'] as const;

const userId = fc.constantFrom(...USERS);
const operation = fc.oneof(
  fc.record({
    kind: fc.constant('put' as const),
    userId,
    name: fc.constantFrom('Ada', 'Bea', 'Cy'),
    permissions: fc.subarray([...PERMISSIONS]),
    roles: fc.option(fc.subarray([...CONTACT_ROLES]), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('delete' as const), userId }),
  fc.record({ kind: fc.constant('plan' as const), sla: fc.constantFrom('standard', 'managed_platform'), name: fc.constantFrom('Acme', 'Acme Ltd') }),
  // A call that read the directory and copies what it read a little later (a slow instance).
  fc.record({ kind: fc.constant('call' as const), userId, lateMs: fc.integer({ min: 0, max: 15 }) }),
);

describe("the line's copy of the directory under concurrent changes and calls", () => {
  it('when changes and calls run at once, then afterwards no mark is left and every card says what the directory says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 14 }), async (operations) => {
        const accountId = await givenAccount(t.app);
        for (const id of USERS) await api(t.app).put(`/v1/accounts/${accountId}/users/${id}`, { name: id, permissions: [...PERMISSIONS] });
        const path = (id: string) => `/v1/accounts/${accountId}/users/${id}`;

        await Promise.all(
          operations.map(async (op) => {
            switch (op.kind) {
              case 'put':
                return api(t.app).put(path(op.userId), { name: op.name, permissions: op.permissions, ...(op.roles === undefined ? {} : { roles: op.roles }) });
              case 'delete':
                return api(t.app).delete(path(op.userId));
              case 'plan':
                return api(t.app).put(`/v1/accounts/${accountId}`, { name: op.name, sla: op.sla });
              case 'call': {
                const facts = await store.getCaller(accountId, op.userId);
                await sleep(op.lateMs);
                return copy.fill(accountId, op.userId, facts);
              }
            }
          }),
        );

        expect(await t.redis.hexists('callgate:{line}:directory:accounts', `${accountId}:changes`)).toBe(0);
        for (const id of USERS) {
          const facts = await store.getCaller(accountId, id);
          expect(await t.redis.hget('callgate:{line}:directory:accounts', accountId)).toBe(accountCard(facts));
          const card = await t.redis.hget('callgate:{line}:directory:users', `${accountId}/${id}`);
          // A user's card is as new as the last change of that user: same facts, maybe an older revision.
          const { seq: _cardSeq, ...cardFacts } = JSON.parse(card ?? '{}') as Record<string, unknown>;
          const { seq: _seq, ...directoryFacts } = JSON.parse(userCard(facts)) as Record<string, unknown>;
          expect(cardFacts).toEqual(directoryFacts);
        }
      }),
      { numRuns: 25 },
    );
  });
});
