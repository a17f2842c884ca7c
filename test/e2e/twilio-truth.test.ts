import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { scriptedKeypad } from '../../sim/simulated-twilio.js';
import { startEventReceiver } from '../../sim/event-receiver.js';
import { eventually } from '../helpers/eventually.js';
import { slowRepliesProxy } from '../helpers/slow-replies-proxy.js';
import { rememberSecret } from '../helpers/leak-watch.js';
import { givenLine, receivers, SAM, TAKES_CALLS } from './given-line.js';

/**
 * The sysadmin side books what Twilio reports, through the simulator (test/sim/ checks it
 * against each page): the <Queue> url runs on the caller's leg before the bridge
 * (https://www.twilio.com/docs/voice/twiml/queue); the sysadmin's <Dial> action reports
 * DialBridged (https://www.twilio.com/docs/voice/twiml/dial); the caller's <Enqueue> action
 * reports QueueResult (https://www.twilio.com/docs/voice/twiml/enqueue).
 */
async function lineWithEvents(options: Parameters<typeof givenLine>[0] = {}) {
  const secret = randomBytes(16).toString('hex');
  rememberSecret(secret);
  const receiver = await startEventReceiver({ secret });
  receivers.push(receiver);
  const line = await givenLine({ ...options, events: { url: receiver.url, secret } });
  return { ...line, receiver };
}

describe('a bridge is booked when Twilio says it happened', () => {
  it('when the caller hangs up while hearing "An engineer is taking your call now", then they are a missed caller, the control panel is told so, and the sysadmin hears the next briefing', async () => {
    const line = await lineWithEvents();
    line.sim.answerPages(SAM.phone, { label: 'Sam', keypad: scriptedKeypad(['1', '1', '1', '1']), talkSeconds: 60 });
    const [adaPin, bobPin] = [await line.pinFor('ada'), await line.pinFor('bob')];
    const ada = line.sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${adaPin}#`]), hangUpWhenHearing: /^An engineer is taking your call/ });
    await eventually(() => {
      expect(line.transcript.some((l) => l.call === 'Ada' && /waits in queue/.test(l.text))).toBe(true);
    }, 5000);
    const bob = line.sim.call({ from: '+447700900112', label: 'Bob', keypad: scriptedKeypad([`${bobPin}#`]), talkSeconds: 20 });
    expect((await ada).ending).toBe('abandoned');
    await bob;
    await line.sim.settled();

    const sam = line.heardBy('Sam');
    expect(sam).not.toContain('(connected with Ada)');
    expect(sam).toContain('The caller you heard about is no longer waiting.');
    expect(sam).toContain('(connected with Bob)');
    const history = await line.history();
    expect(history.find((call) => call.userId === 'ada')?.outcome).not.toBe('connected');
    expect(history.find((call) => call.userId === 'bob')?.outcome).toBe('connected');
    await eventually(() => {
      const types = line.receiver.events().map((event) => `${event.type}:${String((event.data as { userId?: string }).userId)}`);
      expect(types).toContain('call.missed:ada');
      expect(types).not.toContain('call.connected:ada');
      expect(types).toContain('call.connected:bob');
    }, 5000);
  });

  it('when the sysadmin hangs up first after a conversation, then the caller hears the <Enqueue> action and the call is booked connected once', async () => {
    const line = await lineWithEvents();
    line.sim.answerPages(SAM.phone, { label: 'Sam', keypad: TAKES_CALLS(), talkSeconds: 10 });
    const ada = await line.sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]), talkSeconds: 40 });
    await line.sim.settled();
    expect(ada.ending).toBe('bridged');
    expect(await line.history()).toEqual([expect.objectContaining({ userId: 'ada', outcome: 'connected', sysadminId: 'sam' })]);
    await eventually(() => {
      expect(line.receiver.events().filter((event) => event.type === 'call.connected')).toHaveLength(1);
    }, 5000);
    expect(line.receiver.events().map((event) => event.type)).not.toContain('call.missed');
  });
});

describe('a person who answers a page always reaches its greeting', () => {
  it('when Sam answers "Sam Jones, on-call ops, go ahead" (longer than Twilio\'s 2.4 s speech threshold), then he hears the greeting and takes the call', async () => {
    // https://www.twilio.com/docs/voice/answering-machine-detection: with detection, speech longer than
    // MachineDetectionSpeechThreshold is reported as machine_start, and he would be hung up on.
    const line = await givenLine();
    line.sim.answerPages(SAM.phone, { label: 'Sam', keypad: TAKES_CALLS(), greetingSeconds: 4, greeting: 'Sam Jones, on-call ops, go ahead' });
    const call = await line.sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]) });
    await line.sim.settled();
    expect(call.ending).toBe('bridged');
    expect(line.heardBy('Sam')).toContain('(connected with Ada)');
    expect(line.stack.restApi.calls.every((page) => page.machineDetection === undefined)).toBe(true);
  });
});

describe('a held caller is never dropped by callgate', () => {
  // https://www.twilio.com/docs/voice/twiml/enqueue: the waitUrl document is fetched again each time it ends.
  it('when Redis answers too late as the caller holds and the page is answered, then the caller holds again, the sysadmin hears the greeting, and they are put through', async () => {
    const proxy = await slowRepliesProxy(inject('redisUrl'));
    try {
      const line = await givenLine({ redisUrl: proxy.url });
      // Sam answers while Redis is slow, and presses 1 once it answers again (the keypad waits in real time).
      const redisBack = new Promise((resolve) => setTimeout(resolve, 3500));
      const takes = TAKES_CALLS();
      line.sim.answerPages(SAM.phone, { label: 'Sam', ringSeconds: 5, keypad: { press: async (gather) => (await redisBack, takes.press(gather)) } });
      const pin = await line.pinFor('ada');
      // The wait URL's place-in-line read (ZRANK, nothing else sends it) is answered 3 s late: past the answer budget.
      proxy.armOn(['zrank', 'ZRANK'], 2500);
      const ada = await line.sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${pin}#`]) });
      await line.sim.settled();
      expect(ada.said.join(' ')).not.toMatch(/has a problem right now/);
      expect(ada.ending).toBe('bridged');
      // Sam answered while Redis was slow too: he heard the page's greeting, not the customers' apology.
      expect(line.heardBy('Sam').join(' ')).not.toMatch(/has a problem right now/);
      expect(line.heardBy('Sam')).toContain('(connected with Ada)');
    } finally {
      await proxy.close();
    }
  });
});
