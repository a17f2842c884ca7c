import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { maskPhoneNumbers } from '../../src/phone-number-mask.js';
import { scriptedKeypad } from '../../sim/simulated-twilio.js';
import { DEMO_POLICY } from '../../tools/demo-line.js';
import { apiClient, simulatorFor, startLocalStack, type LocalStack } from '../../tools/local-stack.js';
import { eventually } from '../helpers/eventually.js';
import { logLines, logSink, rememberSecret } from '../helpers/leak-watch.js';

/**
 * A whole call, through the simulator, ending in a voicemail, read back from the log. The
 * recording's URL and the caller's number are kept out of every line: the URL may play the
 * message to whoever holds it (README "Twilio console settings": Twilio's HTTP auth on media URLs,
 * https://support.twilio.com/hc/en-us/articles/15827821586843), and the number is the caller's.
 */
const CALLER = '+447700900668';
const stacks: LocalStack[] = [];
afterAll(async () => {
  for (const stack of stacks) await stack.stop();
});

describe('what the log says of a caller', () => {
  it('when a caller with a wrong PIN, then a right one, finds nobody on call and leaves a message, then no line holds their full number or the recording URL, at any level', async () => {
    // Debug too: an operator who turns it on to chase a fault must not start collecting numbers.
    const stack = await startLocalStack({ policy: DEMO_POLICY, redisUrl: inject('redisUrl'), log: createLogger({ level: 'debug', destination: logSink }) });
    stacks.push(stack);
    rememberSecret(stack.controlPanelKey);
    rememberSecret(stack.opsKey);
    const panel = apiClient(stack.instances[0]?.url ?? '', stack.controlPanelKey);
    await panel('PUT', '/v1/accounts/acme', { name: 'Acme Hosting', sla: 'standard' });
    await panel('PUT', '/v1/accounts/acme/users/ada', { name: 'Ada Lovelace', permissions: ['manage_support'] });
    const { pin } = (await panel('POST', '/v1/accounts/acme/users/ada/pin')).body as { pin: string };
    rememberSecret(pin);
    const sim = simulatorFor(stack, { speed: 50, print: () => undefined });

    const call = await sim.call({
      from: CALLER,
      label: 'Ada',
      keypad: scriptedKeypad(['00000000#', `${pin}#`]),
      leavesMessage: { seconds: 10, endsWith: 'finish-key' },
    });
    await sim.settled();
    const [recording] = call.recordings;
    expect(recording).toBeDefined();
    await eventually(() => {
      expect(logLines.some((line) => line.includes('"msg":"voicemail recorded"'))).toBe(true);
    });

    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const received = lines.find((line) => line.msg === 'call call_received');
    expect(received?.audit).toMatchObject({ type: 'call_received', callSid: call.callSid, from: '+44…68' });
    expect(lines.find((line) => line.msg === 'call pin_failed')?.audit).toMatchObject({ from: '+44…68' });
    expect(lines.find((line) => line.msg === 'voicemail recorded')).toMatchObject({ callSid: call.callSid, recordingSid: recording?.sid, level: 30 });
    for (const line of logLines) {
      expect(line).not.toContain(CALLER.slice(3));
      expect(line).not.toContain(recording?.url ?? '');
      expect(line).not.toContain('/Recordings/');
    }
    expect(sim.errors()).toEqual([]);
  }, 30_000);
});

describe('the one mask', () => {
  it.each([
    ['+447700900668', '+44…68'],
    ['+15551234567', '+1…67'],
    ['+79161234567', '+7…67'],
    ['+35312345678', '+353…78'],
    ['+2693456789', '+269…89'],
    ['07700900668', '…68'],
    ["The 'To' number +33612345678 is not a valid phone number", "The 'To' number +33…78 is not a valid phone number"],
    ['anonymous', 'anonymous'],
    ['CA0123456789abcdef0123456789abcdef', 'CA0123456789abcdef0123456789abcdef'],
  ])('when %s is logged, then it reads %s', (text, masked) => {
    expect(maskPhoneNumbers(text)).toBe(masked);
  });
});
