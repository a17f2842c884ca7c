import { DEFAULT_POLICY } from '../src/policy/default-policy.js';
import { scriptedKeypad } from '../sim/simulated-twilio.js';
import { printTranscript } from '../sim/transcript.js';
import { DEMO_POLICY, expectOk, pinOf, SAM, seedDemoLine } from './demo-line.js';
import { simulatorFor, startLocalStack } from './local-stack.js';

/**
 * `npm run demo`: whole calls through callgate with no Twilio account and no
 * configuration. A private redis-server, the service, the Twilio simulator;
 * a demo account; then four calls, printed as they happen. Ends by itself.
 */

// Sunday 7 March 2027, 03:00 in London: the shipped policy's line is closed.
const NIGHT = Date.parse('2027-03-07T03:00:00Z');

const say = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startLocalStack({ policy: DEMO_POLICY, ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}) });
  const night = await stack.addInstance({ policy: DEFAULT_POLICY, clock: { now: () => NIGHT } });
  const [service] = stack.instances;
  if (service === undefined) throw new Error('no instance started');
  say(`callgate is running at ${service.url} (Redis, Twilio REST stand-in and simulator are local).`);

  const panel = await seedDemoLine(stack, service.url);
  say('Seeded: account “Demo Hosting Ltd” (managed platform) with Ada Lovelace (admin contact) and Bob Builder;');
  say(`on call: ${SAM.name} (${SAM.phone}).`);

  const sim = simulatorFor(stack, { instances: [service], speed: 50, print: printTranscript });
  sim.answerPages(SAM.phone, { label: SAM.name, keypad: scriptedKeypad(['1']) });

  const pin = await pinOf(panel, 'ada');
  say(`\nThe control panel gets Ada a PIN: ${pin}`);

  say('\n── Call 1: Ada phones the support line and types her PIN ──');
  await sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([pin]) });
  await sim.settled();

  say('\n── Call 2: a stranger guesses three PINs ──');
  await sim.call({ from: '+447700900222', label: 'Stranger', keypad: scriptedKeypad(['12345678', '87654321', '11223344']) });

  say('\n── Call 3: Bob loses the Manage Support permission, then calls with the PIN he had ──');
  const bobPin = await pinOf(panel, 'bob');
  await expectOk(panel('PUT', '/v1/accounts/demo-hosting/users/bob', { name: 'Bob Builder', permissions: ['manage_services'] }));
  const refused = await panel('POST', '/v1/accounts/demo-hosting/users/bob/pin');
  say(`  (the control panel asks for a new PIN for Bob: ${String(refused.status)} ${JSON.stringify(refused.body)};`);
  say('   his old PIN was revoked the moment the permission was taken away)');
  await sim.call({ from: '+447700900333', label: 'Bob', keypad: scriptedKeypad([bobPin, bobPin, bobPin]) });

  say('\n── Call 4: Sunday 03:00 in London, with the shipped support hours ──');
  const nightSim = simulatorFor(stack, { instances: [night], ringsPages: false, speed: 50, print: printTranscript });
  await nightSim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([]) });

  const history = (await expectOk(panel('GET', '/v1/accounts/demo-hosting/calls'))) as {
    calls: { outcome: string; userId: string | null; sysadminId: string | null; reason: string | null }[];
  };
  say('\nThe account’s call history, as the control panel shows it:');
  for (const call of history.calls) {
    say(`  ${call.userId ?? 'unknown'}: ${call.outcome}${call.sysadminId === null ? '' : ` (taken by ${call.sysadminId})`}${call.reason === null ? '' : ` (${call.reason})`}`);
  }
  await stack.stop();
  say(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
