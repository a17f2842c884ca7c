import { isSupportedCountry } from 'libphonenumber-js/max';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import Holidays from 'date-holidays';
import { guessesToRetireAtCap, MIN_GUESSES_TO_RETIRE } from './guess-bound.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

// Minutes past midnight of "HH:MM" (00:00 to 24:00), else NaN.
const minutesOf = (time: string): number =>
  /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/.test(time) ? Number(time.slice(0, 2)) * 60 + Number(time.slice(3)) : Number.NaN;

/** "09:00-17:30": open from 09:00 until just before 17:30, local time. "24:00" may close a day. */
const openingSpan = z
  .string()
  .regex(/^\d\d:\d\d-\d\d:\d\d$/, 'expected "HH:MM-HH:MM", e.g. "09:00-17:30"')
  .transform((span, ctx) => {
    const [from = '', to = ''] = span.split('-');
    const open = minutesOf(from);
    const close = minutesOf(to);
    const problem =
      Number.isNaN(open) || Number.isNaN(close) || open === 24 * 60
        ? 'times must be 00:00 to 23:59 (24:00 only as a closing time)'
        : open >= close && 'the opening time must be before the closing time';
    if (problem === false) return { open, close };
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  });
export type OpeningSpan = z.output<typeof openingSpan>;

const weeklyHours = z
  .strictObject(Object.fromEntries(WEEKDAYS.map((day) => [day, z.array(openingSpan).optional()])) as Record<
    Weekday,
    z.ZodOptional<z.ZodArray<typeof openingSpan>>
  >)
  .superRefine((hours, ctx) => {
    for (const day of WEEKDAYS) {
      const spans = [...(hours[day] ?? [])].sort((a, b) => a.open - b.open);
      for (const [i, span] of spans.entries()) {
        if (span.open < (spans[i - 1]?.close ?? 0)) {
          ctx.addIssue({ code: 'custom', path: [day], message: 'opening spans of one day must not overlap' });
        }
      }
    }
  });

const tierName = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'tier names are lower_snake_case');

const tier = z.strictObject({
  /** How the IVR names the tier ("Managed platform support is open ..."); defaults to the name, spaced. */
  label: z.string().min(1).max(60).optional(),
  phoneSupport: z.boolean(),
  /** Higher is answered first. */
  priority: z.number().int().min(0).max(100).default(0),
  hours: weeklyHours.default({}),
  closedOnPublicHolidays: z.boolean().default(true),
});
export type Tier = z.output<typeof tier>;

// Known to date-holidays, which the closure calendar asks.
const isKnownHolidayRegion = ({ country, region }: { country: string; region?: string | undefined }): boolean =>
  country in new Holidays().getCountries() && (region === undefined || region in new Holidays().getStates(country));

// A group of settings, each with its default, so the group itself may be left out.
const settings = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.strictObject(shape).prefault({} as z.input<z.ZodObject<Shape, z.core.$strict>>);

export const policySchema = z
  .strictObject({
    timezone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'expected an IANA time zone such as Europe/London')
      .default('Europe/London'),
    holidays: z
      .strictObject({
        country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 country code such as GB'),
        region: z.string().min(1).optional(),
        extraClosures: z.array(z.iso.date()).default([]),
      })
      .refine(isKnownHolidayRegion, {
        message: 'unknown holiday country or region (see the date-holidays package)',
      })
      .optional(),
    tiers: z.record(tierName, tier).refine((tiers) => Object.keys(tiers).length > 0, 'at least one tier is required'),
    pin: settings({
      digits: z.number().int().min(6).max(12).default(8),
      ttlSeconds: z.number().int().min(30).max(86_400).default(600),
      attemptsPerCall: z.number().int().min(1).max(10).default(3),
      issuesPerUserPerHour: z.number().int().min(1).max(1000).default(5),
      // A guess with an account's code risks all its live PINs: the cap keeps the code's allowance worth some guesses.
      livePerAccount: z.number().int().min(1).max(100_000).default(50),
    }),
    callers: settings({
      failedPinsPerHour: z.number().int().min(1).default(10),
      lockoutSeconds: z.number().int().min(60).default(3600),
    }),
    // The guessing bound's settings: docs/security.md "The guessing bound".
    line: settings({
      /** Failed PINs per minute across the whole line above which the alarm is raised. */
      alarmFailuresPerMinute: z.number().int().min(1).default(30),
      guessBound: z.number().gt(0).lt(1).default(0.0001),
      guessWindowHours: z.number().int().min(1).max(168).default(24),
      accountCodeShare: z.number().gt(0).lt(1).default(0.5),
      /** Length of the account code asked for, with the PIN, once the PIN-only budget is spent. */
      accountCodeDigits: z.number().int().min(4).max(8).default(6),
    }),
    queue: z
      .strictObject({
        maxWaitSeconds: z.number().int().min(30).max(3600).default(600),
        holdMusicUrl: z.url({ protocol: /^https?$/ }).optional(),
        // Twilio fetches the wait URL again only when its document ends: a long track would stretch the wait.
        holdMusicSeconds: z.number().int().min(1).max(60).optional(),
      })
      .refine((queue) => queue.holdMusicUrl === undefined || queue.holdMusicSeconds !== undefined, {
        message: 'holdMusicSeconds (the track length, at most 60) is required with holdMusicUrl',
        path: ['holdMusicSeconds'],
      })
      // Music is played only when it ends before the maximum wait: a track as long would never play.
      .refine((queue) => queue.holdMusicSeconds === undefined || queue.holdMusicSeconds < queue.maxWaitSeconds, {
        message: 'holdMusicSeconds must be shorter than maxWaitSeconds, or the music would never play',
        path: ['holdMusicSeconds'],
      })
      .prefault({}),
    voicemail: settings({
      /** The longest message a caller nobody could take may leave. */
      maxSeconds: z.number().int().min(10).max(600).default(120),
      /** How long missed callers are offered to sysadmins who phone in, for a call back. */
      missedForHours: z.number().int().min(1).max(72).default(12),
    }),
    // Pages ring at most 20 s: a mobile voicemail answers after about 25 s, and Twilio adds up to 5 s.
    oncall: settings({
      ringSeconds: z.number().int().min(5).max(20).default(15),
      // A busy sysadmin's call silent this long raises an alarm (a conversation sends no webhook until it ends).
      busyWithoutNewsAlarmMinutes: z.number().int().min(5).max(240).default(60),
    }),
    // Where a missed caller may be called back (docs/security.md "Who may be called back").
    callbacks: settings({
      // ISO 3166 countries, not dialling codes (+1 is shared by the US and Caribbean islands).
      allowedCountries: z
        .array(z.string().refine((code) => isSupportedCountry(code), 'expected an ISO 3166 country code such as GB'))
        .min(1)
        .optional(),
    }),
    voice: settings({
      language: z.string().regex(/^[a-z]{2}-[A-Z]{2}$/, 'expected a language tag such as en-GB').default('en-GB'),
      voice: z.string().min(1).default('Polly.Amy'),
    }),
    // Delivery of events to EVENTS_URL (docs/events.md).
    events: settings({
      sendTimeoutSeconds: z.number().int().min(1).max(60).default(10),
      firstRetrySeconds: z.number().int().min(1).max(3600).default(5),
      maxRetrySeconds: z.number().int().min(1).max(86_400).default(1800),
      /** After this long undelivered, an event is kept as a dead letter for an operator. */
      retryForHours: z.number().int().min(1).max(168).default(24),
    }),
  })
  // An account at the cap must outlast a few wrong guesses with its code before the code is retired.
  .refine((policy) => guessesToRetireAtCap(policy) >= MIN_GUESSES_TO_RETIRE, {
    path: ['pin', 'livePerAccount'],
    message:
      `at this many live PINs per account, fewer than ${String(MIN_GUESSES_TO_RETIRE)} wrong guesses with an account ` +
      'code would retire it: lower pin.livePerAccount, or raise line.guessBound or line.accountCodeShare',
  });

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
