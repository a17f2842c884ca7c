import type { TwilioRestApi } from '../../sim/twilio-rest-api.js';
import type { HeldCaller } from './outage-callers.js';
import { takeTheCall } from './outage-sysadmin.js';
import type { Webhooks } from './outage-webhooks.js';

/**
 * The sysadmins' phones during the outage: every page placed through the REST stand-in rings
 * for a moment; one in `answerEvery` is answered by a sysadmin who takes the caller
 * (outage-sysadmin.ts), the others go unanswered. Twilio then posts the page's status callback
 * (https://www.twilio.com/docs/voice/api/call-resource, StatusCallback: CallStatus=no-answer or completed).
 * Each page is kept with when it was placed and when its ringing ended, so that the test can
 * tell whether any caller was paged twice at once, or any phone rung twice at once.
 */
export interface Page {
  sid: string;
  caller: string;
  sysadmin: string;
  placedAt: number;
  /** When the call ended (the status callback was sent); undefined while it lasts. */
  endedAt?: number;
  /** Whether the sysadmin answered and was bridged to a caller. */
  bridged: boolean;
}

export function ringPhones(
  restApi: TwilioRestApi,
  webhooks: Webhooks,
  options: { ringMs: [number, number]; answerEvery: number; talkMs: number; callerOf: (callSid: string) => HeldCaller | undefined },
): { pages: Page[]; stop(): Promise<void> } {
  const pages: Page[] = [];
  const ringing = new Set<Promise<void>>();
  let stopped = false;
  restApi.onCall((placed) => {
    const query = new URL(placed.url).searchParams;
    const page: Page = { sid: placed.sid, caller: query.get('caller') ?? '', sysadmin: query.get('sysadmin') ?? '', placedAt: Date.now(), bridged: false };
    pages.push(page);
    if (stopped) return;
    const [least, most] = options.ringMs;
    const answers = pages.length % options.answerEvery === 0;
    const ring = new Promise((resolve) => setTimeout(resolve, least + Math.random() * (most - least)))
      .then(async () => {
        if (answers) page.bridged = await takeTheCall(webhooks, placed, options.callerOf, options.talkMs);
        page.endedAt = Date.now();
        if (placed.statusCallback === undefined) return;
        const ended = answers ? { CallStatus: 'completed', CallDuration: '5' } : { CallStatus: 'no-answer', CallDuration: '0' };
        const params = { CallSid: placed.sid, AccountSid: placed.accountSid, From: placed.from, To: placed.to, Direction: 'outbound-api', ApiVersion: '2010-04-01', ...ended };
        await webhooks.send(placed.statusCallback, params);
      })
      .finally(() => ringing.delete(ring));
    ringing.add(ring);
  });
  return {
    pages,
    stop: async () => {
      stopped = true;
      await Promise.all([...ringing]);
    },
  };
}

/** Pairs of pages that rang at once for the same `key` (caller or sysadmin), as [earlier, later]. */
export function overlapping(pages: Page[], key: (page: Page) => string): [Page, Page][] {
  const byKey = new Map<string, Page[]>();
  for (const page of pages) byKey.set(key(page), [...(byKey.get(key(page)) ?? []), page]);
  const pairs: [Page, Page][] = [];
  for (const list of byKey.values()) {
    const sorted = [...list].sort((a, b) => a.placedAt - b.placedAt);
    // The page rung longest so far: a later page placed before it ended rang at the same time.
    let longest: Page | undefined;
    for (const page of sorted) {
      if (longest !== undefined && (longest.endedAt ?? Infinity) > page.placedAt) pairs.push([longest, page]);
      if (longest === undefined || (page.endedAt ?? Infinity) > (longest.endedAt ?? Infinity)) longest = page;
    }
  }
  return pairs;
}
