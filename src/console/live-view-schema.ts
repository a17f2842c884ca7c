import { z } from 'zod';
import { CALL_OUTCOMES } from '../audit/call-history.js';
import { waitingCallerSchema } from '../oncall/waiting-caller-schema.js';

// What the console reads from `/v1/ops/now` and `/v1/ops/calls`: built, described in OpenAPI and parsed
// by the page with these schemas, so the three cannot drift apart. Only zod here: the page bundles this file.

const instant = z.iso.datetime();

const planHoursSchema = z.object({
  plan: z.string(),
  openNow: z.boolean(),
  nextChange: instant.nullable().meta({ description: 'When openNow next changes; null when it will not within a year.' }),
});

export const waitingCallerViewSchema = waitingCallerSchema.pick({ callSid: true, accountId: true, accountName: true, userId: true, userName: true, isAdminContact: true }).extend({
  plan: z.string(),
  waitingSince: instant,
  waitSeconds: z.number(),
  paging: z
    .object({
      sysadminId: z.string(),
      sysadminName: z.string().nullable(),
      state: z.enum(['ringing', 'answered', 'declined']),
      since: instant.nullable().meta({ description: 'When the page was placed, from the audit stream; null if not seen.' }),
    })
    .nullable()
    .meta({ description: 'The page in flight for this caller, if any.' }),
  reservedBy: z.string().nullable().meta({ description: 'The sysadmin who pressed 1 to take this caller, until bridged.' }),
});
export type WaitingCallerView = z.infer<typeof waitingCallerViewSchema>;

export const sysadminViewSchema = z.object({
  id: z.string(),
  name: z.string().nullable().meta({ description: 'Null for a sysadmin busy on a call but no longer on the rota.' }),
  onRota: z.boolean(),
  state: z.enum(['free', 'ringing', 'briefing', 'connected', 'on_line', 'resting']),
  until: instant.nullable().meta({ description: 'When the state lapses at the latest, if not ended sooner.' }),
  withCaller: z
    .object({ callSid: z.string(), accountId: z.string().nullable(), accountName: z.string().nullable(), userName: z.string().nullable() })
    .nullable()
    .meta({ description: 'The customer a ringing, briefing or connected sysadmin is busy with.' }),
  lastHeard: z
    .object({
      at: instant.meta({ description: "The last webhook of the call that keeps this sysadmin busy." }),
      alarm: z.boolean().meta({ description: 'Longer ago than policy oncall.busyWithoutNewsAlarmMinutes: a long conversation, or its end never reported.' }),
    })
    .optional(),
  oncallPin: z
    .object({
      failures: z.number().meta({ description: "Wrong on-call PINs in the sysadmin's window (typed on calls to their registered phone)." }),
      windowHours: z.number(),
      alarm: z.boolean().meta({ description: 'A burst: someone holding this sysadmin’s phone is guessing their on-call PIN.' }),
      locked: z.boolean().meta({ description: 'PIN entry refused until the oldest failure leaves the window, or an operator sets a new on-call PIN.' }),
    })
    .optional(),
});
export type SysadminView = z.infer<typeof sysadminViewSchema>;

export const liveViewSchema = z
  .object({
    at: instant,
    line: z.object({
      alarm: z.boolean().meta({ description: 'Failed PINs across the line above the threshold: every call gets one attempt.' }),
      failuresPerMinute: z.number(),
      alarmThreshold: z.number(),
      plans: z.array(planHoursSchema),
      timeZone: z.string().meta({ description: "The line's time zone (policy timezone): the console shows every time in it." }),
      locale: z.string().meta({ description: "The line's language (policy voice.language): the console writes times as it does (24-hour clock in en-GB)." }),
    }),
    waiting: z.object({ total: z.number(), callers: z.array(waitingCallerViewSchema) }),
    sysadmins: z.array(sysadminViewSchema),
  })
  .meta({ description: 'The line now, built at most once a second per instance and shared by every viewer.' });
export type LiveView = z.infer<typeof liveViewSchema>;

export const lineCallSchema = z.object({
  callSid: z.string(),
  startedAt: instant,
  accountId: z.string().nullable(),
  accountName: z.string().nullable().optional().meta({ description: "The account's name in the directory; null when it is gone." }),
  userId: z.string().nullable(),
  userName: z.string().nullable().optional(),
  outcome: z.enum(CALL_OUTCOMES),
  reason: z.string().nullable(),
  waitSeconds: z.number().nullable(),
  durationSeconds: z.number().nullable(),
  sysadminId: z.string().nullable(),
  sysadminName: z.string().nullable().optional().meta({ description: 'Null when they are no longer on the rota.' }),
});
export type LineCall = z.infer<typeof lineCallSchema>;

export const recentCallsSchema = z
  .object({
    at: instant,
    calls: z.array(lineCallSchema).meta({ description: 'The most recent calls across accounts, newest first.' }),
    perHour: z
      .array(z.object({ hourStart: instant, counts: z.partialRecord(z.enum(CALL_OUTCOMES), z.number()) }))
      .meta({ description: 'Calls started in each of the last 24 hours, by outcome, oldest hour first.' }),
    waits: z
      .array(z.object({ upToSeconds: z.number().nullable(), count: z.number() }))
      .meta({ description: 'Calls of the last day that waited, by wait; upToSeconds null: longer than the last bound.' }),
  })
  .meta({ description: 'Recent calls across accounts, from the line-wide audit stream.' });
export type RecentCalls = z.infer<typeof recentCallsSchema>;
