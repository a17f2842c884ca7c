import { scriptedKeypad } from '../sim/simulated-twilio.js';
import { keyboardKeypad } from '../sim/keyboard-keypad.js';
import { printTranscript } from '../sim/transcript.js';
import { DEMO_POLICY, pinOf, SAM, seedDemoLine } from './demo-line.js';
import { simulatorFor, startLocalStack } from './local-stack.js';

/**
 * `npm run call`: a phone in the terminal. Starts callgate locally (private
 * Redis, the Twilio REST stand-in, the demo account) and rings the support line:
 * you type the digits. `--as-sysadmin`: Ada calls with her PIN and you are Sam,
 * the sysadmin callgate pages; you press 1 to hear who is waiting, then 1 to take the call (or not).
 */
const asSysadmin = process.argv.includes('--as-sysadmin');

async function main(): Promise<void> {
  const stack = await startLocalStack({ policy: DEMO_POLICY, ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}) });
  const service = stack.instances[0];
  if (service === undefined) throw new Error('no instance started');
  const panel = await seedDemoLine(stack, service.url);
  const pin = await pinOf(panel, 'ada');
  const keyboard = keyboardKeypad(asSysadmin ? SAM.name : 'you');
  // Real time: a person at the keyboard gets the Gather's real timeout to answer.
  const sim = simulatorFor(stack, { speed: 1, print: printTranscript });

  process.stdout.write(`callgate is running at ${service.url}; account “Demo Hosting Ltd”, on call: ${SAM.name}.\n`);
  try {
    if (asSysadmin) {
      process.stdout.write(`Ada calls with her PIN; your phone (${SAM.phone}) will ring.\n\n`);
      sim.answerPages(SAM.phone, { label: SAM.name, keypad: keyboard });
      await sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${pin}#`]) });
    } else {
      process.stdout.write(`Ada Lovelace's PIN is ${pin}. ${SAM.name} answers pages and presses 1, then 1.\n\n`);
      sim.answerPages(SAM.phone, { label: SAM.name, keypad: scriptedKeypad(['1', '1']) });
      await sim.call({ from: '+447700900123', label: 'you', keypad: keyboard });
    }
    await sim.settled();
  } finally {
    keyboard.close();
    await stack.stop();
  }
  process.stdout.write('\nThe call has ended.\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`call failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
