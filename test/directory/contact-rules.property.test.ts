import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTACT_ROLES, PERMISSIONS, ROLE_REQUIREMENTS } from '../../src/directory/directory-schema.js';
import { createDirectoryStore } from '../../src/directory/directory-store.js';
import { api, givenAccount } from '../helpers/givens.js';
import { buildTestApp } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());
const store = createDirectoryStore(t.redis);

const userId = fc.constantFrom('u1', 'u2', 'u3', 'u4');
const operation = fc.oneof(
  fc.record({
    kind: fc.constant('put' as const),
    userId,
    permissions: fc.subarray([...PERMISSIONS]),
    roles: fc.option(fc.subarray([...CONTACT_ROLES]), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('delete' as const), userId }),
  fc.record({ kind: fc.constant('rename' as const), name: fc.constantFrom('A', 'B') }),
);

// A rule's refusal is an answer; anything else (503 above all) is a failure.
const ALLOWED = new Set([200, 201, 204, 404, 409, 422]);

describe('contact rules under concurrent random changes', () => {
  it('when random changes run at once, then every answer is a success or a rule, and the rules hold afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 16 }), async (operations) => {
        const accountId = await givenAccount(t.app);
        const path = (id: string) => `/v1/accounts/${accountId}/users/${id}`;
        const responses = await Promise.all(
          operations.map((op) => {
            if (op.kind === 'put') {
              return api(t.app).put(path(op.userId), {
                name: op.userId,
                permissions: op.permissions,
                ...(op.roles === undefined ? {} : { roles: op.roles }),
              });
            }
            if (op.kind === 'delete') return api(t.app).delete(path(op.userId));
            return api(t.app).put(`/v1/accounts/${accountId}`, { name: op.name, sla: 'standard' });
          }),
        );
        for (const res of responses) expect(ALLOWED.has(res.status), JSON.stringify(res.body)).toBe(true);

        const contacts = (await store.requireAccount(accountId)).contacts;
        const users = await store.listUsers(accountId, { limit: 100 });
        for (const role of CONTACT_ROLES) {
          const holderId = contacts[role];
          const assigned = responses.some((res) => res.status < 300 && (res.body as { roles?: string[] }).roles?.includes(role));
          // A role once given is never removed, only moved.
          expect(holderId !== undefined).toBe(assigned);
          if (holderId === undefined) continue;
          const holder = users.find((user) => user.id === holderId);
          expect(holder, `${role} holder ${holderId} exists`).toBeDefined();
          expect(holder?.permissions).toEqual(expect.arrayContaining([...ROLE_REQUIREMENTS[role]]));
          expect(users.filter((user) => user.roles.includes(role)).map((user) => user.id)).toEqual([holderId]);
        }
      }),
      { numRuns: 40 },
    );
  });
});
