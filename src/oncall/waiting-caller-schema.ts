import { z } from 'zod';

// A verified caller on the line. Only zod here: the console's page bundles this file.
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
