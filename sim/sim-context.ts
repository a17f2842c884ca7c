import type { Party } from './party.js';
import type { TwimlContext } from './twiml-document.js';
import type { LiveCalls } from './rest-call-update.js';
import type { QueueRegistry } from './queue-registry.js';
import type { FatalError, Outcome, PhoneLog, PhoneScript, TranscriptLine } from './sim-types.js';
import type { VirtualClock } from './virtual-clock.js';
import type { WebhookClient } from './webhook-client.js';

/** What every part of the simulator shares: settings with defaults applied, the clock, the queues, the error log. */
export interface SimContext {
  /** Fetches a TwiML document for a party and runs it (call-runner.ts's loadAndRun, passed in so verbs need not import it). */
  run: (party: Party, url: string, method: string, extra: Record<string, string>, context: TwimlContext) => Promise<Outcome>;
  clock: VirtualClock;
  webhooks: WebhookClient;
  queues: QueueRegistry;
  /** Calls in progress by CallSid, for the REST stand-in's Call update. */
  liveCalls: LiveCalls;
  print: (line: TranscriptLine) => void;
  errors: FatalError[];
  /** Background work (late callbacks, pages) that `settled()` waits for. */
  background: Set<Promise<void>>;
  fallbackUrl: string | undefined;
  mediaSeconds: Record<string, number>;
  defaultMediaSeconds: number;
  saySecondsPerCharacter: number;
  extraRingSeconds: number;
  statusCallbackDelaySeconds: number;
  /** A stray key reaches the next Gather only if it starts within this many seconds. */
  strayKeySeconds: number;
  /** The simulated phones (`answerPages`) and their logs, for pages and <Dial><Number>. */
  phones: { script(number: string): PhoneScript | undefined; log(number: string): PhoneLog };
}

export function inBackground(ctx: SimContext, work: Promise<void>): void {
  ctx.background.add(work);
  void work.finally(() => ctx.background.delete(work));
}

export const say = (ctx: SimContext, party: Party, text: string): void => {
  ctx.print({ call: party.init.label, who: 'twilio', text });
};
