import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { PolicyInput } from '../../src/policy/policy-schema.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { DEMO_POLICY } from '../../tools/demo-line.js';
import { scriptedKeypad, type TranscriptLine } from '../../sim/simulated-twilio.js';
import { apiClient, simulatorFor, startLocalStack, type LocalStack } from '../../tools/local-stack.js';
import { logSink, rememberSecret } from '../helpers/leak-watch.js';

const OPEN_POLICY: PolicyInput = { ...DEMO_POLICY, queue: { maxWaitSeconds: 60 } };
const ALL_PERMISSIONS = ['manage_users', 'manage_billing', 'manage_services', 'manage_support', 'purchase_services'];
const SAM = { id: 'sam', name: 'Sam', phone: '+447700900999' };

const stacks: LocalStack[] = [];
afterAll(async () => {
  for (const stack of stacks) await stack.stop();
});

/** A stack of `instances` callgates on the test Redis, an account with Ada (admin) and Bob, and a simulator. */
async function givenLine(options: { instances?: number; oncall?: boolean } = {}) {
  const stack = await startLocalStack({
    policy: OPEN_POLICY,
    instances: options.instances ?? 1,
    redisUrl: inject('redisUrl'),
    log: createLogger({ level: 'info', destination: logSink }),
  });
  stacks.push(stack);
  rememberSecret(stack.controlPanelKey);
  const base = stack.instances[0]?.url ?? '';
  const panel = apiClient(base, stack.controlPanelKey);
  await panel('PUT', '/v1/accounts/acme', { name: 'Acme Hosting', sla: 'standard' });
  await panel('PUT', '/v1/accounts/acme/users/ada', { name: 'Ada Lovelace', permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
  await panel('PUT', '/v1/accounts/acme/users/bob', { name: 'Bob Builder', permissions: ['manage_support'] });
  if (options.oncall !== false) await apiClient(base, stack.opsKey)('PUT', '/v1/oncall', [SAM]);
  const transcript: TranscriptLine[] = [];
  const sim = simulatorFor(stack, { speed: 50, print: (line) => transcript.push(line) });
  const pinFor = async (userId: string) => {
    const { body } = await panel('POST', `/v1/accounts/acme/users/${userId}/pin`);
    const pin = (body as { pin: string }).pin;
    rememberSecret(pin);
    return pin;
  };
  const history = async () => ((await panel('GET', '/v1/accounts/acme/calls')).body as { calls: Record<string, unknown>[] }).calls;
  return { stack, panel, sim, transcript, pinFor, history };
}

describe('whole calls through the simulator', () => {
  it('when Ada calls with her PIN and Sam presses 1, then they are bridged and the history shows Sam took it', async () => {
    const line = await givenLine();
    line.sim.answerPages(SAM.phone, { label: 'Sam', keypad: scriptedKeypad(['1']) });
    const call = await line.sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([await line.pinFor('ada')]) });
    await line.sim.settled();

    expect(call.ending).toBe('bridged');
    expect(call.said.slice(0, 2)).toEqual([
      'Welcome to emergency support. Please enter the support PIN from your control panel, followed by the hash key.',
      'Thank you, Ada Lovelace. Connecting you to our on-call engineers.',
    ]);
    // Whether the position is heard first depends on how fast Sam answers, as on a real line.
    expect(call.said.at(-1)).toBe('An engineer is taking your call now.');
    const samHeard = line.transcript.filter((l) => l.call === 'Sam' && l.who === 'callgate').map((l) => l.text);
    expect(samHeard[0]).toBe(
      'Emergency support call for Acme Hosting. The caller is Ada Lovelace, the admin contact of the account. Their plan is Standard. They have waited less than a minute. Nobody else is waiting.',
    );
    expect(await line.history()).toEqual([
      expect.objectContaining({ callSid: call.callSid, userId: 'ada', outcome: 'connected', sysadminId: 'sam' }),
    ]);
  });

  it('when a stranger gets the PIN wrong three times, then goodbye and hang-up', async () => {
    const line = await givenLine();
    const call = await line.sim.call({ from: '+447700900222', label: 'Stranger', keypad: scriptedKeypad(['12345678', '87654321', '11223344']) });
    expect(call.ending).toBe('hangup');
    expect(call.said.at(-1)).toBe('Sorry, we could not verify your PIN. Please get a new PIN from the control panel and call again. Goodbye.');
    expect(call.said.filter((text) => text.includes('not recognised'))).toHaveLength(2);
  });

  it('when Bob lost Manage Support after getting a PIN, then his PIN no longer works', async () => {
    const line = await givenLine();
    const pin = await line.pinFor('bob');
    await line.panel('PUT', '/v1/accounts/acme/users/bob', { name: 'Bob Builder', permissions: ['manage_billing'] });
    const call = await line.sim.call({ from: '+447700900333', label: 'Bob', keypad: scriptedKeypad([pin]) });
    expect(call.said[1]).toBe('Sorry, that PIN was not recognised. Please enter your PIN again, followed by the hash key.');
  });

  it('when two instances share Redis and the webhooks alternate between them, then the call still connects', async () => {
    const line = await givenLine({ instances: 2 });
    line.sim.answerPages(SAM.phone, { label: 'Sam', keypad: scriptedKeypad(['1']) });
    const call = await line.sim.call({ from: '+447700900444', label: 'Ada', keypad: scriptedKeypad([await line.pinFor('ada')]) });
    await line.sim.settled();
    expect(call.ending).toBe('bridged');
    expect(line.stack.restApi.calls).toHaveLength(1);
    expect(await line.history()).toEqual([expect.objectContaining({ outcome: 'connected', sysadminId: 'sam' })]);
  });

  it('when the caller hangs up while queued, then the call is recorded as abandoned', async () => {
    const line = await givenLine({ oncall: false });
    const call = await line.sim.call({ from: '+447700900555', label: 'Ada', keypad: scriptedKeypad([await line.pinFor('ada')]), hangUpAfterQueueSeconds: 20 });
    expect(call.ending).toBe('abandoned');
    expect(await line.history()).toEqual([expect.objectContaining({ outcome: 'abandoned', userId: 'ada' })]);
  });

  it('when nobody answers within the longest wait, then the caller hears the call was logged and the call ends', async () => {
    const line = await givenLine({ oncall: false });
    const call = await line.sim.call({ from: '+447700900666', label: 'Ada', keypad: scriptedKeypad([await line.pinFor('ada')]) });
    expect(call.said.at(-1)).toBe(
      'We are sorry, no engineer could take your call yet. Your call has been logged, and our support team will follow up with you as soon as possible. Goodbye.',
    );
    expect(await line.history()).toEqual([expect.objectContaining({ outcome: 'timed_out', userId: 'ada' })]);
  });

  it('when the line is closed (a Sunday night, shipped hours), then the hours are spoken and the call ends', async () => {
    const line = await givenLine();
    const night = await line.stack.addInstance({ policy: DEFAULT_POLICY, clock: { now: () => Date.parse('2027-03-07T03:00:00Z') } });
    const sim = simulatorFor(line.stack, { instances: [night], ringsPages: false, speed: 50, print: () => undefined });
    const call = await sim.call({ from: '+447700900777', label: 'Ada', keypad: scriptedKeypad([]) });
    expect(call.ending).toBe('hangup');
    expect(call.said).toHaveLength(1);
    expect(call.said[0]).toMatch(/^Emergency phone support is closed right now\. Managed platform support is open Monday to Friday/);
  });
});
