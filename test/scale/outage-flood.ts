import type { AnswerKind, Webhooks } from './outage-webhooks.js';
import { callEnds, dialIn, hex, number } from './outage-line.js';

/**
 * Wrong PINs at about `perSecond` from numbers that each make `callsPerNumber` calls (enough to be
 * locked out) before a new number takes over: each flood call types up to three wrong entries
 * into whatever the line asks, then hangs up (its status callback); a new call starts whenever
 * the entries typed and still to come fall behind the rate, at most three calls for every two
 * entries due (the line alarm cuts every call to one attempt; a locked-out number types none).
 * Counts how each call ended, by kind, and which numbers heard they were locked out.
 */
export function flood(webhooks: Webhooks, accountSid: string, options: { perSecond: number; numbersAtOnce: number; callsPerNumber: number }) {
  const ended = new Map<AnswerKind, number>();
  const lockedOut = new Set<string>();
  const entries = 3;
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  const numbers = Array.from({ length: options.numbersAtOnce }, () => ({ from: number('+4478'), calls: 0 }));
  let [typed, calls] = [0, 0];
  const call = async () => {
    calls += 1;
    const slot = Math.floor(Math.random() * numbers.length);
    const caller = numbers[slot] ?? { from: '', calls: 0 };
    caller.calls += 1;
    if (caller.calls >= options.callsPerNumber) numbers[slot] = { from: number('+4478'), calls: 0 };
    const sid = { callSid: `CA${hex(16)}`, from: caller.from };
    const last = await dialIn(webhooks, accountSid, sid, (prompt) => {
      if (prompt.includes('Too many incorrect PINs')) lockedOut.add(caller.from);
      typed += 1;
      return String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
    }, entries);
    if (last.kind === 'locked out') lockedOut.add(caller.from);
    ended.set(last.kind, (ended.get(last.kind) ?? 0) + 1);
    await callEnds(webhooks, accountSid, sid, 20);
  };
  const timer = setInterval(() => {
    // Calls in flight may each type up to `entries` more: counted as if they will. A line that
    // answers without asking anything (the apology, a lockout) is not called faster for it.
    const due = ((Date.now() - started) / 1000) * options.perSecond;
    while (typed + entries * inFlight.size < due && calls < 1.5 * due) {
      const one = call().finally(() => inFlight.delete(one));
      inFlight.add(one);
    }
  }, 20);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return { ended, lockedOut, perSecond: typed / ((Date.now() - started) / 1000) };
    },
  };
}
