import { z } from 'zod';

/**
 * A verified caller on the line, as the briefing and the console know them. Only zod here:
 * the console's page bundles this file through src/console/live-view-schema.ts.
 */
export const waitingCallerSchema = z.object({
  callSid: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  userId: z.string(),
  userName: z.string(),
  isAdminContact: z.boolean(),
  adminContactName: z.string().nullable(),
  tier: z.string(),
  priority: z.number(),
  enqueuedAt: z.number(),
});
export type WaitingCaller = z.infer<typeof waitingCallerSchema>;
