import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { speakable } from './speakable.js';

// Everything the caller hears, from `twiml/prompts/<language>.json`. Each text must use exactly the
// placeholders listed here, checked at start: a translation can reorder a sentence, not drop a value.
const PLACEHOLDERS = {
  prompts: {
    enterPin: [],
    notRecognised: [],
    enterAccountCode: [],
    accountCodeRetry: [],
    enterPinAfterCode: [],
    accountCodeChanged: [],
    tooManyAttempts: [],
    lockedOut: [],
    lineClosed: ['schedule'],
    tierSchedule: ['tier', 'days', 'timezone'],
    noPermission: ['name'],
    planWithoutPhone: ['name'],
    planClosed: ['name', 'schedule', 'opensAt'],
    userGone: [],
    connecting: ['name'],
    queuePosition: ['position'],
    stillHolding: [],
    timedOut: [],
    apology: [],
    voicemailOffer: [],
    voicemailNone: [],
    voicemailThanks: [],
    agentMissedCallers: ['count'],
    agentMissedCaller: ['account', 'caller', 'ago', 'message'],
    agentMissedChoices: [],
    agentMissedHeldBack: ['count'],
    agentMissedNumber: ['number'],
    agentMissedCannotCallBack: ['reason'],
    agentMissedChoicesNoCallBack: [],
    agentCallingBack: ['caller'],
    agentCallbackFailed: [],
    callbackWhisper: [],
    agentPageGreeting: [],
    agentEnterPin: [],
    agentPinRetry: [],
    agentPinRefused: [],
    agentCallingYouBack: [],
    agentPinLocked: [],
    agentCaller: ['account', 'caller', 'contact', 'plan', 'wait', 'others'],
    agentPressOne: [],
    agentCallerTaken: [],
    agentCallerLeft: [],
    agentNobodyWaiting: [],
    agentGoodbye: [],
    agentLineTrouble: [],
    agentConnecting: ['caller'],
    agentCallOver: [],
    callerConnected: [],
  },
  phrases: {
    dayRange: ['first', 'last'],
    daySpans: ['days', 'spans'],
    span: ['open', 'close'],
    and: ['first', 'second'],
    timezone: ['city'],
    opensToday: ['time'],
    opensTomorrow: ['time'],
    opensOn: ['date', 'time'],
    contactIsAdmin: [],
    contactNotAdmin: ['admin'],
    contactNoAdmin: [],
    waitUnderMinute: [],
    waitOneMinute: [],
    waitMinutes: ['minutes'],
    othersNone: [],
    othersOne: [],
    othersMany: ['count'],
    leftMessage: [],
    noMessage: [],
    numberPlus: [],
    refusedWithheld: [],
    refusedNotANumber: [],
    refusedCountry: [],
    refusedSpecialRate: [],
  },
} as const;

type Table = typeof PLACEHOLDERS;
export type PromptKey = keyof Table['prompts'];
export type PhraseKey = keyof Table['phrases'];
/** A prompt said as it is, with no value in it. */
export type PlainPromptKey = { [K in PromptKey]: Table['prompts'][K] extends readonly [] ? K : never }[PromptKey];
type Vars<Names extends readonly string[]> = Record<Names[number], string | number>;

export interface PromptCatalogue {
  language: string;
  prompt<K extends PromptKey>(key: K, ...vars: Table['prompts'][K] extends readonly [] ? [] : [Vars<Table['prompts'][K]>]): string;
  phrase<K extends PhraseKey>(key: K, ...vars: Table['phrases'][K] extends readonly [] ? [] : [Vars<Table['phrases'][K]>]): string;
}

function textWith(expected: readonly string[]) {
  return z
    .string()
    .min(1)
    .refine((text) => {
      const found = new Set([...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]));
      return found.size === expected.length && expected.every((name) => found.has(name));
    }, `must use exactly the placeholders ${expected.length === 0 ? '(none)' : expected.map((n) => `{${n}}`).join(', ')}`);
}

const section = <T extends Record<string, readonly string[]>>(table: T) =>
  z.strictObject(Object.fromEntries(Object.entries(table).map(([key, names]) => [key, textWith(names)])) as {
    [K in keyof T]: ReturnType<typeof textWith>;
  });

const catalogueSchema = z.strictObject({
  prompts: section(PLACEHOLDERS.prompts),
  phrases: section(PLACEHOLDERS.phrases),
});

// Every value spoken in a prompt goes through speakable(): nothing stored can make rendering throw.
function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_whole, name: string) => speakable(String(vars[name] ?? '')));
}

export class PromptCatalogueError extends Error {}

export const TWIML_DIR = new URL('../../twiml/', import.meta.url);

/** Loads and checks the catalogue of `language`; throws naming the bad prompt. */
export function loadPromptCatalogue(language: string, dir: URL = TWIML_DIR): PromptCatalogue {
  const file = new URL(`prompts/${language}.json`, dir);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PromptCatalogueError(`prompt catalogue ${file.pathname}: ${(error as Error).message}`);
  }
  const parsed = catalogueSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${z.core.toDotPath(issue.path)}: ${issue.message}`);
    throw new PromptCatalogueError(`prompt catalogue ${file.pathname} is not valid:\n${problems.join('\n')}`);
  }
  const { prompts, phrases } = parsed.data;
  return {
    language,
    prompt: (key, ...vars) => fill(prompts[key], vars[0] ?? {}),
    phrase: (key, ...vars) => fill(phrases[key], vars[0] ?? {}),
  };
}
