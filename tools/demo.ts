import { randomBytes } from 'node:crypto';
import { DEFAULT_POLICY } from '../src/policy/default-policy.js';
import { startEventReceiver } from '../sim/event-receiver.js';
import { scriptedKeypad } from '../sim/simulated-twilio.js';
import { printTranscript } from '../sim/transcript.js';
import { DEMO_POLICY, expectOk, KIM, pinOf, SAM, seedDemoLine } from './demo-line.js';
import { apiClient, simulatorFor, startLocalStack } from './local-stack.js';

/**
 * `npm run demo`: whole calls through callgate with no Twilio account and no
 * configuration. A private redis-server, the service, the Twilio simulator;
 * a demo account; then six calls, printed as they happen. Ends by itself.
 */

// Sam's personal on-call PIN, for phoning the line himself (a demo value, printed on purpose).
const DEMO_ONCALL_PIN = '24681357';

// Sunday 7 March 2027, 03:00 in London: the shipped policy's line is closed.
const NIGHT = Date.parse('2027-03-07T03:00:00Z');

const say = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

async function main(): Promise<void> {
  const started = Date.now();
  // The control panel's event endpoint, played by the stand-in receiver: it checks every signature.
  const eventsSecret = randomBytes(32).toString('hex');
  const receiver = await startEventReceiver({ secret: eventsSecret });
  const stack = await startLocalStack({
    policy: DEMO_POLICY,
    events: { url: receiver.url, secret: eventsSecret },
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
  });
  const [service] = stack.instances;
  if (service === undefined) throw new Error('no instance started');
  say(`callgate is running at ${service.url} (Redis, Twilio REST stand-in and simulator are local).`);
  // The demo's own throwaway key, printed so a person can sign in; never logged.
  say(`The on-call console: ${service.url}/console/ (sign in with the operator key ${stack.opsKey}).`);

  const panel = await seedDemoLine(stack, service.url);
  const ops = apiClient(service.url, stack.opsKey);
  say('Seeded: account “Demo Hosting Ltd” (managed platform) with Ada Lovelace (admin contact) and Bob Builder;');
  say(`on call: ${SAM.name} (${SAM.phone}), then ${KIM.name} (${KIM.phone}).`);

  const sim = simulatorFor(stack, { instances: [service], speed: 50, print: printTranscript });
  // Each page: 1 to hear who is waiting, 1 to take that caller.
  const takesCalls = () => scriptedKeypad(['1', '1', '1', '1', '1', '1']);
  sim.answerPages(SAM.phone, { label: SAM.name, keypad: takesCalls() });
  sim.answerPages(KIM.phone, { label: KIM.name, keypad: takesCalls(), ringSeconds: 6 });

  const pin = await pinOf(panel, 'ada');
  say(`\nThe control panel gets Ada a PIN: ${pin}`);

  say('\n── Call 1: Ada phones the support line and types her PIN ──');
  await sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${pin}#`]) });
  await sim.settled();

  say('\n── Call 2: Ada and Bob (same plan) call at once; Sam and Kim are paged, each hears about one caller ──');
  say('   (each customer waits in a Twilio queue of their own, so a sysadmin is connected to exactly the caller they heard about)');
  const [adaPin, bobPinNow] = [await pinOf(panel, 'ada'), await pinOf(panel, 'bob')];
  await Promise.all([
    sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${adaPin}#`]) }),
    sim.call({ from: '+447700900112', label: 'Bob', keypad: scriptedKeypad([`${bobPinNow}#`]) }),
  ]);
  await sim.settled();

  say('\n── Call 3: a stranger guesses three PINs ──');
  await sim.call({ from: '+447700900222', label: 'Stranger', keypad: scriptedKeypad(['12345678#', '87654321#', '11223344#']) });

  say('\n── Call 4: Bob loses the Manage Support permission, then calls with the PIN he had ──');
  const bobPin = await pinOf(panel, 'bob');
  await expectOk(panel('PUT', '/v1/accounts/demo-hosting/users/bob', { name: 'Bob Builder', permissions: ['manage_services'] }));
  const refused = await panel('POST', '/v1/accounts/demo-hosting/users/bob/pin');
  say(`  (the control panel asks for a new PIN for Bob: ${String(refused.status)} ${JSON.stringify(refused.body)};`);
  say('   his old PIN was revoked the moment the permission was taken away)');
  await sim.call({ from: '+447700900333', label: 'Bob', keypad: scriptedKeypad([`${bobPin}#`, `${bobPin}#`, `${bobPin}#`]) });

  say('\n── Call 5: nobody answers; Ada leaves a message, and Sam phones in and calls her back ──');
  // Sam and Kim are away from their phones: the pages ring out, the longest wait passes.
  sim.answerPages(SAM.phone, { label: SAM.name, answers: 'no-answer' });
  sim.answerPages(KIM.phone, { label: KIM.name, answers: 'no-answer' });
  await sim.call({
    from: '+447700900111',
    label: 'Ada',
    keypad: scriptedKeypad([`${await pinOf(panel, 'ada')}#`]),
    leavesMessage: { seconds: 20, endsWith: 'finish-key' },
  });
  await sim.settled();
  await expectOk(ops('PUT', `/v1/oncall/${SAM.id}/pin`, { pin: DEMO_ONCALL_PIN }));
  say(`  (an operator has given Sam the on-call PIN ${DEMO_ONCALL_PIN}; Ada's phone will ring for the callback)`);
  sim.answerPages('+447700900111', { label: 'Ada (called back)', ringSeconds: 4, keypad: scriptedKeypad(['1']) });
  // Caller ID is no credential: the call from Sam's number only hears that callgate calls back;
  // his registered phone then rings, and he types the on-call PIN on that call.
  sim.answerPages(SAM.phone, { label: SAM.name, keypad: scriptedKeypad([`${DEMO_ONCALL_PIN}#`, '1']) });
  const callsBack = () => stack.restApi.calls.filter((placed) => placed.to === SAM.phone && placed.url.includes('/agent-phone-in?')).length;
  const before = callsBack();
  await sim.call({ from: SAM.phone, label: `${SAM.name} (phoning in)`, keypad: scriptedKeypad([]) });
  await waitForEvent(() => callsBack() > before);
  await sim.settled();

  say('\n── Call 6: Sunday 03:00 in London, with the shipped support hours ──');
  // Started only now: an instance whose clock says 2027 would take the waiting callers above for long gone.
  const night = await stack.addInstance({ policy: DEFAULT_POLICY, clock: { now: () => NIGHT } });
  const nightSim = simulatorFor(stack, { instances: [night], ringsPages: false, speed: 50, print: printTranscript });
  await nightSim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([]) });

  const history = (await expectOk(panel('GET', '/v1/accounts/demo-hosting/calls'))) as {
    calls: {
      outcome: string;
      userId: string | null;
      sysadminId: string | null;
      reason: string | null;
      voicemail: { seconds: number } | null;
      callback: { sysadminId: string } | null;
    }[];
  };
  say('\nThe account’s call history, as the control panel shows it:');
  for (const call of history.calls) {
    const taken = call.sysadminId === null ? '' : ` (taken by ${call.sysadminId})`;
    const reason = call.reason === null ? '' : ` (${call.reason})`;
    const message = call.voicemail === null ? '' : `, left a ${String(call.voicemail.seconds)} s message`;
    const callback = call.callback === null ? '' : `, called back by ${call.callback.sysadminId}`;
    say(`  ${call.userId ?? 'unknown'}: ${call.outcome}${taken}${reason}${message}${callback}`);
  }
  // Delivery runs in the background: give the last events a moment to arrive.
  await waitForEvent(() => receiver.events().some((event) => event.type === 'callback.connected'));
  say('\nEvents the control panel received (each signed and verified, once by id):');
  for (const event of receiver.events()) {
    const data = event.data as { reason?: string; durationSeconds?: number; sysadminId?: string };
    const detail = data.reason ?? (data.durationSeconds === undefined ? undefined : `${String(data.durationSeconds)} s message`) ?? data.sysadminId;
    say(`  ${event.type}${detail === undefined ? '' : ` (${detail})`}`);
  }
  if (process.argv.includes('--keep')) await keepCalling(`${service.url}/console/`, stack.opsKey, () => pinOf(panel, 'ada'), sim);
  await stack.stop();
  await receiver.close();
  say(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** Waits up to 10 s for `arrived()`. */
async function waitForEvent(arrived: () => boolean): Promise<void> {
  for (let waited = 0; waited < 10_000 && !arrived(); waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** `--keep`: Ada calls again every 30 s (and waits up to 20 s) until Ctrl-C, for a person watching the console. */
async function keepCalling(consoleUrl: string, opsKey: string, pin: () => Promise<string>, sim: ReturnType<typeof simulatorFor>): Promise<void> {
  say(`\n── Kept running (--keep): open ${consoleUrl} with the operator key ${opsKey}; Ada calls every 30 s; Ctrl-C stops ──`);
  const stopped = new Promise<'stop'>((resolve) => {
    process.once('SIGINT', () => {
      resolve('stop');
    });
  });
  for (;;) {
    void sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${await pin()}#`]), hangUpAfterQueueSeconds: 1000 });
    if ((await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 30_000))])) === 'stop') return;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
