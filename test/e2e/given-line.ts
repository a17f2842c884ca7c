import { afterAll, afterEach, expect, inject } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { PolicyInput } from '../../src/policy/policy-schema.js';
import { DEMO_POLICY } from '../../tools/demo-line.js';
import { scriptedKeypad, type SimulatedTwilio, type TranscriptLine } from '../../sim/simulated-twilio.js';
import type { EventReceiver } from '../../sim/event-receiver.js';
import { apiClient, simulatorFor, startLocalStack, type LocalStack } from '../../tools/local-stack.js';
import { eventually } from '../helpers/eventually.js';
import { logSink, rememberSecret } from '../helpers/leak-watch.js';

/**
 * A whole line for calls through the simulator: a stack of callgates on the test Redis, an
 * account with Ada (admin contact) and Bob, a rota, and a simulator that behaves as Twilio documents.
 */
export const OPEN_POLICY: PolicyInput = { ...DEMO_POLICY, queue: { maxWaitSeconds: 600 } };
export const ALL_PERMISSIONS = ['manage_users', 'manage_billing', 'manage_services', 'manage_support', 'purchase_services'];
export const SAM = { id: 'sam', name: 'Sam', phone: '+447700900999' };
export const KIM = { id: 'kim', name: 'Kim', phone: '+447700900998' };
export const SAM_PIN = '24681357';
// Pressing 1 twice: once to hear who is waiting, once to take that caller.
export const TAKES_CALLS = () => scriptedKeypad(['1', '1', '1', '1']);

const stacks: LocalStack[] = [];
export const receivers: EventReceiver[] = [];
const sims: SimulatedTwilio[] = [];
afterEach(() => {
  for (const sim of sims.splice(0)) expect(sim.errors()).toEqual([]);
});
afterAll(async () => {
  for (const stack of stacks) await stack.stop();
  for (const receiver of receivers) await receiver.close();
});

/** A stack of callgates on the test Redis, an account with Ada (admin) and Bob, a rota, and a simulator. */
export async function givenLine(
  options: {
    instances?: number;
    rota?: (typeof SAM)[];
    policy?: PolicyInput;
    events?: { url: string; secret: string };
    /** Another way to the test Redis (a proxy that delays replies). */
    redisUrl?: string;
    /** How long each <Play> URL lasts in the simulator. */
    mediaSeconds?: Record<string, number>;
  } = {},
) {
  const stack = await startLocalStack({
    policy: options.policy ?? OPEN_POLICY,
    instances: options.instances ?? 1,
    ...(options.events === undefined ? {} : { events: options.events }),
    redisUrl: options.redisUrl ?? inject('redisUrl'),
    log: createLogger({ level: 'info', destination: logSink }),
  });
  stacks.push(stack);
  rememberSecret(stack.controlPanelKey);
  rememberSecret(stack.opsKey);
  const base = stack.instances[0]?.url ?? '';
  const panel = apiClient(base, stack.controlPanelKey);
  const ops = apiClient(base, stack.opsKey);
  await panel('PUT', '/v1/accounts/acme', { name: 'Acme Hosting', sla: 'standard' });
  await panel('PUT', '/v1/accounts/acme/users/ada', { name: 'Ada Lovelace', permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
  await panel('PUT', '/v1/accounts/acme/users/bob', { name: 'Bob Builder', permissions: ['manage_support'] });
  await ops('PUT', '/v1/oncall', options.rota ?? [SAM]);
  const transcript: TranscriptLine[] = [];
  const sim = simulatorFor(stack, { speed: 50, print: (line) => transcript.push(line), ...(options.mediaSeconds === undefined ? {} : { mediaSeconds: options.mediaSeconds }) });
  sims.push(sim);
  const pinFor = async (userId: string) => {
    const { body } = await panel('POST', `/v1/accounts/acme/users/${userId}/pin`);
    const pin = (body as { pin: string }).pin;
    rememberSecret(pin);
    return pin;
  };
  const history = async () => ((await panel('GET', '/v1/accounts/acme/calls')).body as { calls: Record<string, unknown>[] }).calls;
  const heardBy = (label: string) => transcript.filter((l) => l.call === label).map((l) => l.text);
  const saidTo = (label: string) => transcript.filter((l) => l.call === label && l.who === 'callgate').map((l) => l.text);
  /**
   * Sam phones in from his rota number. Caller ID is no credential (SPEC section 5): that call
   * only hears that callgate will call back. Once its status callback has come, callgate rings
   * his registered phone through Calls.json (https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource),
   * with `label` here, and asks the on-call PIN on that call; he types it, then `keys`.
   * His phone keeps its old script while he is on the phone-in call (a page then finds it busy):
   * its status callback comes once the call has ended (https://www.twilio.com/docs/voice/api/call-resource,
   * StatusCallback), here a moment late, so the call back is the first ring to meet the new script.
   */
  const samPhonesIn = async (label: string, keys: string[]) => {
    const callsBack = () => stack.restApi.calls.filter((placed) => placed.to === SAM.phone && placed.url.includes('/agent-phone-in?')).length;
    const before = callsBack();
    const call = await sim.call({ from: SAM.phone, label: `${label} (phoning in)`, keypad: scriptedKeypad([]), statusCallback: { delaySeconds: 1 } });
    sim.answerPages(SAM.phone, { label, keypad: scriptedKeypad([`${SAM_PIN}#`, ...keys]) });
    // Told only that callgate will call back: no PIN prompt on a call whose caller ID anyone can set.
    expect(call.said).toEqual([expect.stringMatching(/We will call you back on your registered phone now\. Goodbye\.$/)]);
    await eventually(() => {
      expect(callsBack()).toBe(before + 1);
    });
    return call;
  };
  return { stack, panel, ops, sim, transcript, pinFor, history, heardBy, saidTo, samPhonesIn };
}

