import { z } from 'zod';
import type { DirectoryStore } from '../directory/directory-store.js';
import type { User } from '../directory/directory-schema.js';
import { supportLineSchema, type SupportLine } from '../hours/support-line.js';
import type { Policy } from '../policy/policy-schema.js';
import type { PinStore } from './pin-store.js';

export const pinIssuedSchema = z.object({
  pin: z.string().regex(/^\d+$/).meta({ description: 'The PIN, shown to the user once; callgate keeps only its HMAC.' }),
  accountCode: z.string().regex(/^\d+$/).meta({
    description:
      "The account's code, to show with the PIN: the same for every PIN of the account until guessing with it spends its allowance; then the next PIN shows a new one and the old one is refused. The line asks for it before the PIN when random guessing has used up the day's PIN-only allowance.",
  }),
  expiresAt: z.iso.datetime(),
  ttlSeconds: z.number().int(),
  phoneNumber: z.string(),
  supportLine: supportLineSchema,
});

export const pinStatusSchema = z.object({ active: z.boolean(), expiresAt: z.iso.datetime().nullable() });

export type PinService = ReturnType<typeof createPinService>;

/** The control panel's side of a PIN: issue, look at, revoke. */
export function createPinService(deps: {
  store: DirectoryStore;
  pins: PinStore;
  policy: Policy;
  supportLine: (sla: string) => SupportLine;
}) {
  const { store, pins, policy, supportLine } = deps;
  const phoneTiers = Object.keys(policy.tiers).filter((tier) => policy.tiers[tier]?.phoneSupport === true);

  return {
    /** Only to a user who may phone support, as the directory says in the same step as the issue. */
    async issuePin(accountId: string, userId: string): Promise<z.infer<typeof pinIssuedSchema>> {
      const { pin, expiresAt, accountCode, sla } = await pins.issue({ accountId, userId }, phoneTiers);
      const line = supportLine(sla);
      return {
        pin,
        accountCode,
        expiresAt: new Date(expiresAt).toISOString(),
        ttlSeconds: policy.pin.ttlSeconds,
        phoneNumber: line.phoneNumber,
        supportLine: line,
      };
    },

    async pinStatus(accountId: string, userId: string): Promise<z.infer<typeof pinStatusSchema>> {
      await store.requireUser(accountId, userId);
      const { active, expiresAt } = await pins.status({ accountId, userId });
      return { active, expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() };
    },

    /** Whether each user has a live PIN (never the PIN). */
    async pinsActive(users: readonly User[]): Promise<boolean[]> {
      const statuses = await pins.statuses(users.map((user) => ({ accountId: user.accountId, userId: user.id })));
      return statuses.map((status) => status.active);
    },

    async revokePin(accountId: string, userId: string): Promise<void> {
      await store.requireUser(accountId, userId);
      await pins.revoke({ accountId, userId });
    },
  };
}
