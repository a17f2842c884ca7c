import { z } from 'zod';
import { callbackStateSchema, missedReasonSchema } from '../oncall/missed-call-schema.js';

// What needs a human (`/v1/ops/attention`): the server builds it, OpenAPI describes it and the page
// parses it with these schemas. Only zod here: the page bundles this file.

const instant = z.iso.datetime();
const unknownOrText = z.string().nullable();

export const missedCallViewSchema = z.object({
  callSid: z.string(),
  accountId: z.string(),
  accountName: z.string().meta({ description: "The account's name in the directory now (as the call knew it when the account is gone)." }),
  userId: z.string(),
  userName: z.string(),
  at: instant.meta({ description: 'When the call was missed.' }),
  waitSeconds: z.number(),
  reason: missedReasonSchema,
  voicemail: z
    .object({ seconds: z.number(), audio: z.string().meta({ description: 'Where the page plays it: a callgate route (operator key), never Twilio.' }) })
    .nullable(),
  callback: z
    .object({
      sysadminId: z.string(),
      sysadminName: z.string().nullable(),
      since: instant,
      state: callbackStateSchema.meta({ description: 'calling and answered: under way; connected: done.' }),
    })
    .nullable(),
});
export type MissedCallView = z.infer<typeof missedCallViewSchema>;

export const deadLetterViewSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  occurredAt: instant,
  deadAt: instant,
  attempts: z.number(),
  lastResult: z.string().meta({ description: 'What the last delivery attempt got: http_5xx, timeout, network_error, ...' }),
  about: z
    .object({
      accountId: unknownOrText,
      accountName: unknownOrText,
      userId: unknownOrText,
      userName: unknownOrText,
      sysadminId: unknownOrText,
      sysadminName: unknownOrText,
      callerNumber: unknownOrText,
    })
    .meta({ description: 'Whom the event is about, named from the directory and the rota where they still exist.' }),
});
export type DeadLetterView = z.infer<typeof deadLetterViewSchema>;

export const guessingViewSchema = z.object({
  bound: z.number().meta({ description: 'The stated bound: the chance random guessing may find a live PIN in the window.' }),
  windowHours: z.number(),
  livePins: z.number(),
  guesses: z.number().meta({ description: 'Wrong PINs across the line in the window.' }),
  probability: z.number().meta({ description: 'The chance the PIN-only guesses of the window found a live PIN, had they been random.' }),
  guessesLeft: z.number().nullable().meta({ description: 'PIN-only guesses left before the line asks every caller for their account code; null: no PIN is live.' }),
  accountCodesAsked: z.boolean().meta({ description: "The line's PIN-only allowance is spent: every caller is asked for their account code first." }),
});
export type GuessingView = z.infer<typeof guessingViewSchema>;

export const attentionSchema = z
  .object({
    at: instant,
    missed: z.object({
      windowHours: z.number(),
      calls: z.array(missedCallViewSchema).meta({ description: 'Missed verified callers of the window, newest first, those called back included.' }),
    }),
    deadLetters: z.object({ total: z.number(), letters: z.array(deadLetterViewSchema).meta({ description: 'The newest dead letters, newest first.' }) }),
    guessing: guessingViewSchema.nullable().meta({ description: 'Null when the standing could not be read.' }),
  })
  .meta({ description: 'What needs a human, built at most every few seconds per instance and shared by every viewer.' });
export type Attention = z.infer<typeof attentionSchema>;
