import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scriptedKeypad, type Keypad } from '../../sim/simulated-twilio.js';
import { startEventReceiver } from '../../sim/event-receiver.js';
import { simulatorFor } from '../../tools/local-stack.js';
import { eventually } from '../helpers/eventually.js';
import { rememberSecret } from '../helpers/leak-watch.js';
import { givenLine, KIM, OPEN_POLICY, receivers, SAM, SAM_PIN, TAKES_CALLS } from './given-line.js';

/**
 * Whole calls through the simulator, which behaves as Twilio documents (see test/sim/):
 * queues are FIFO by <Enqueue> (https://www.twilio.com/docs/voice/twiml/enqueue), <Dial><Queue>
 * connects the first member (https://www.twilio.com/docs/voice/twiml/queue), pages may meet a
 * voicemail box (https://www.twilio.com/docs/voice/answering-machine-detection).
 */
describe('whole calls through the simulator', () => {
  it('when Ada calls with her PIN and Sam presses 1 twice, then they are bridged and the history shows Sam took it', async () => {
    const line = await givenLine();
    line.sim.answerPages(SAM.phone, { label: 'Sam', keypad: TAKES_CALLS() });
    const call = await line.sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]) });
    await line.sim.settled();

    expect(call.ending).toBe('bridged');
    expect(call.said.at(-1)).toBe('An engineer is taking your call now.');
    const sam = line.heardBy('Sam');
    expect(sam).toContain(
      'Emergency support call. The caller is the admin contact of the account. The account is named in the control panel as Acme Hosting. The caller is named in the control panel as Ada Lovelace. Their plan is Standard. They have waited less than a minute. Nobody else is waiting.',
    );
    expect(sam).toContain('(connected with Ada)');
    expect(await line.history()).toEqual([expect.objectContaining({ callSid: call.callSid, userId: 'ada', outcome: 'connected', sysadminId: 'sam' })]);
  });

  it('when two callers of one plan wait and two sysadmins press 1 at once, then each is connected to the caller they heard about', async () => {
    const line = await givenLine({ rota: [SAM, KIM] });
    line.sim.answerPages(SAM.phone, { label: 'Sam', keypad: TAKES_CALLS(), ringSeconds: 20 });
    line.sim.answerPages(KIM.phone, { label: 'Kim', keypad: TAKES_CALLS(), ringSeconds: 20 });
    const [adaPin, bobPin] = [await line.pinFor('ada'), await line.pinFor('bob')];
    const calls = await Promise.all([
      line.sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${adaPin}#`]) }),
      line.sim.call({ from: '+447700900112', label: 'Bob', keypad: scriptedKeypad([`${bobPin}#`]) }),
    ]);
    await line.sim.settled();
    expect(calls.map((c) => c.ending)).toEqual(['bridged', 'bridged']);
    const briefed = ['Sam', 'Kim'].map((sysadmin) => {
      const heard = line.heardBy(sysadmin);
      const briefings = heard.filter((text) => text.startsWith('Emergency support call'));
      expect(briefings).toHaveLength(1);
      const about = /The caller is named in the control panel as (Ada|Bob) /.exec(briefings[0] ?? '')?.[1] ?? '';
      // Connected to exactly the caller they heard about, and to no one else.
      expect(heard.filter((text) => text.startsWith('(connected with'))).toEqual([`(connected with ${about})`]);
      return about;
    });
    expect(briefed.sort()).toEqual(['Ada', 'Bob']);
  });

  // No machine detection (it hangs up on people with long greetings): the box hears only the generic greeting.
  it('when a page meets a voicemail box, then nothing about the customer is said to it and the next sysadmin takes the call', async () => {
    const line = await givenLine({ rota: [SAM, KIM] });
    const samPhone = line.sim.answerPages(SAM.phone, { label: 'Sam', answers: 'voicemail', voicemailAfterSeconds: 4 });
    line.sim.answerPages(KIM.phone, { label: 'Kim', keypad: TAKES_CALLS() });
    const call = await line.sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]) });
    await line.sim.settled();
    expect(call.ending).toBe('bridged');
    expect(samPhone.recorded.join(' ')).not.toMatch(/Ada|Acme/);
    expect(line.heardBy('Kim')).toContain('(connected with Ada)');
  });

  it('when the sysadmin hangs up after pressing 1, then the caller goes back to paging and the next sysadmin takes the call', async () => {
    const line = await givenLine({ rota: [SAM, KIM] });
    line.sim.answerPages(SAM.phone, { label: 'Sam', keypad: TAKES_CALLS(), hangUpWhenHearing: /^Connecting you to/ });
    line.sim.answerPages(KIM.phone, { label: 'Kim', keypad: TAKES_CALLS(), ringSeconds: 10 });
    const call = await line.sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]) });
    await line.sim.settled();
    expect(call.ending).toBe('bridged');
    expect(line.heardBy('Sam')).not.toContain('(connected with Ada)');
    expect(line.heardBy('Kim')).toContain('(connected with Ada)');
    expect(await line.history()).toEqual([expect.objectContaining({ outcome: 'connected', sysadminId: 'kim' })]);
  });

  it('when a sysadmin phones in with their on-call PIN, then they take the waiting caller, and after hanging up are paged for the next', async () => {
    const line = await givenLine();
    expect((await line.ops('PUT', `/v1/oncall/sam/pin`, { pin: SAM_PIN })).status).toBe(204);
    rememberSecret(SAM_PIN);
    // Sam is busy on his mobile when first paged; he phones in from it instead.
    line.sim.answerPages(SAM.phone, { label: 'Sam (paged)', answers: 'busy' });
    const ada = line.sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]) });
    await eventually(() => {
      expect(line.transcript.some((l) => l.call === 'Ada' && /waits in queue|Please hold/.test(l.text))).toBe(true);
    }, 5000);
    await line.samPhonesIn('Sam', ['1']);
    expect((await ada).ending).toBe('bridged');
    // Asked the PIN on the call back to his registered phone, never on the call from his number.
    expect(line.saidTo('Sam')[0]).toBe('Emergency support line. Please enter your on-call PIN, followed by the hash key.');
    expect(line.heardBy('Sam')).toContain('(connected with Ada)');

    line.sim.answerPages(SAM.phone, { label: 'Sam (paged)', keypad: TAKES_CALLS() });
    const bob = await line.sim.call({ from: '+447700900112', label: 'Bob', keypad: scriptedKeypad([`${await line.pinFor('bob')}#`]) });
    await line.sim.settled();
    expect(bob.ending).toBe('bridged');
    expect(line.heardBy('Sam (paged)')).toContain('(connected with Bob)');
  });

  it('when the caller hangs up during "connecting you", then nobody is connected to them and the sysadmin is told nobody waits', async () => {
    const line = await givenLine();
    line.sim.answerPages(SAM.phone, { label: 'Sam', keypad: TAKES_CALLS(), ringSeconds: 10 });
    const call = await line.sim.call({
      from: '+447700900111',
      label: 'Ada',
      keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]),
      hangUpWhenHearing: /^Thank you, Ada/,
    });
    await line.sim.settled();
    expect(call.ending).toBe('caller-hung-up');
    const sam = line.heardBy('Sam');
    expect(sam).not.toContain('(connected with Ada)');
    expect(sam.some((text) => text.startsWith('Emergency support call'))).toBe(false);
    // He was paged (Ada was verified), and hears that nobody is waiting any more.
    expect(line.stack.restApi.calls.map((page) => page.to)).toEqual([SAM.phone]);
    expect(sam).toContain('Nobody is waiting for support right now. Goodbye.');
  });

  it('when a stranger gets the PIN wrong three times, then goodbye and hang-up', async () => {
    const line = await givenLine();
    const call = await line.sim.call({ from: '+447700900222', label: 'Stranger', keypad: scriptedKeypad(['12345678#', '87654321#', '11223344#']) });
    expect(call.ending).toBe('hangup');
    expect(call.said.at(-1)).toBe('Sorry, we could not verify your PIN. Please get a new PIN from the control panel and call again. Goodbye.');
  });

  it('when Bob lost Manage Support after getting a PIN, then his PIN no longer works', async () => {
    const line = await givenLine();
    const pin = await line.pinFor('bob');
    await line.panel('PUT', '/v1/accounts/acme/users/bob', { name: 'Bob Builder', permissions: ['manage_billing'] });
    const call = await line.sim.call({ from: '+447700900333', label: 'Bob', keypad: scriptedKeypad([`${pin}#`]) });
    expect(call.said[1]).toMatch(/^Sorry, that PIN was not recognised\./);
  });

  it('when two instances share Redis and the webhooks alternate between them, then the call still connects', async () => {
    const line = await givenLine({ instances: 2 });
    line.sim.answerPages(SAM.phone, { label: 'Sam', keypad: TAKES_CALLS() });
    const call = await line.sim.call({ from: '+447700900444', label: 'Ada', keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]) });
    await line.sim.settled();
    expect(call.ending).toBe('bridged');
    expect(line.stack.restApi.calls).toHaveLength(1);
    expect(await line.history()).toEqual([expect.objectContaining({ outcome: 'connected', sysadminId: 'sam' })]);
  });

  it('when the caller hangs up while queued, then the call is recorded as abandoned and their queue is deleted', async () => {
    const line = await givenLine();
    line.sim.answerPages(SAM.phone, { label: 'Sam', answers: 'no-answer' });
    const call = await line.sim.call({ from: '+447700900555', label: 'Ada', keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]), hangUpAfterQueueSeconds: 20 });
    expect(call.ending).toBe('abandoned');
    expect(await line.history()).toEqual([expect.objectContaining({ outcome: 'abandoned', userId: 'ada' })]);
    await eventually(() => {
      expect(line.sim.queues.list()).toEqual([]);
    });
  });

  it('when nobody answers within the longest wait, then the caller leaves a message and the history has it', async () => {
    const line = await givenLine({ policy: { ...OPEN_POLICY, queue: { maxWaitSeconds: 60 } } });
    line.sim.answerPages(SAM.phone, { label: 'Sam', answers: 'no-answer' });
    const call = await line.sim.call({
      from: '+447700900666',
      label: 'Ada',
      keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]),
      leavesMessage: { seconds: 25, endsWith: 'finish-key' },
    });
    await line.sim.settled();
    expect(call.said.at(-1)).toBe('Thank you. Your message has been recorded and a ticket opened. An engineer will call you back as soon as possible. Goodbye.');
    const [recording] = call.recordings;
    expect(await line.history()).toEqual([
      expect.objectContaining({ outcome: 'timed_out', userId: 'ada', voicemail: { url: recording?.url, seconds: recording?.seconds } }),
    ]);
  });

  it('when a sysadmin phones in after a missed call, then they hear of it first and call the customer back from the support number', async () => {
    const line = await givenLine({ policy: { ...OPEN_POLICY, queue: { maxWaitSeconds: 60 } } });
    await line.ops('PUT', '/v1/oncall/sam/pin', { pin: SAM_PIN });
    rememberSecret(SAM_PIN);
    line.sim.answerPages(SAM.phone, { label: 'Sam (paged)', answers: 'no-answer' });
    await line.sim.call({
      from: '+447700900666',
      label: 'Ada',
      keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]),
      leavesMessage: { seconds: 25, endsWith: 'finish-key' },
    });
    await line.sim.settled();
    // Ada's own phone rings for the callback (https://www.twilio.com/docs/voice/twiml/number: the url runs on the called party).
    const adaPhone = line.sim.answerPages('+447700900666', { label: 'Ada (called back)', ringSeconds: 4, keypad: scriptedKeypad(['1']) });
    await line.samPhonesIn('Sam', ['1']);
    await line.sim.settled();
    const sam = line.saidTo('Sam');
    expect(sam.slice(1, 3)).toEqual(['Missed callers to call back: 1.', 'Acme Hosting, Ada Lovelace, less than a minute ago; they left a message.']);
    expect(sam).toContain('Calling Ada Lovelace back now.');
    expect(adaPhone.heard).toContain('This is the emergency support line, returning your call. Press 1 to speak to the engineer now.');
    expect(line.heardBy('Sam')).toContain('(connected with Ada (called back))');
    expect(await line.history()).toEqual([expect.objectContaining({ userId: 'ada', outcome: 'timed_out', callback: { sysadminId: 'sam', at: expect.any(String) as unknown } })]);

    // Called back: the next sysadmin phoning in is not offered Ada again.
    await line.samPhonesIn('Sam again', []);
    await line.sim.settled();
    expect(line.saidTo('Sam again')[1]).toBe('Nobody is waiting for support right now. Goodbye.');
  });

  // https://www.twilio.com/docs/voice/twiml/dial: DialCallStatus is 'completed' for any answer, a voicemail box's too;
  // https://www.twilio.com/docs/voice/twiml/number: the url document may decline the call with <Gather> and <Hangup>.
  it("when the customer's voicemail answers the callback, then it is hung up on, the sysadmin hears nobody answered, and the missed call stays open", async () => {
    const line = await givenLine({ policy: { ...OPEN_POLICY, queue: { maxWaitSeconds: 60 } } });
    await line.ops('PUT', '/v1/oncall/sam/pin', { pin: SAM_PIN });
    rememberSecret(SAM_PIN);
    line.sim.answerPages(SAM.phone, { label: 'Sam (paged)', answers: 'no-answer' });
    await line.sim.call({ from: '+447700900666', label: 'Ada', keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]) });
    await line.sim.settled();
    const adaPhone = line.sim.answerPages('+447700900666', { label: 'Ada (voicemail)', answers: 'voicemail', voicemailAfterSeconds: 5 });
    await line.samPhonesIn('Sam', ['1']);
    await line.sim.settled();
    expect(adaPhone.recorded.join(' ')).toContain('Press 1 to speak to the engineer now.');
    expect(line.heardBy('Sam')).not.toContain('(connected with Ada (voicemail))');
    expect(line.saidTo('Sam')).toContain('The customer did not answer.');
    expect(await line.history()).toEqual([expect.objectContaining({ userId: 'ada', callback: null })]);
  });

  it('when a caller nobody answers leaves a message, then the control panel gets one signed voicemail.recorded, even across a restart mid-delivery', async () => {
    const secret = randomBytes(32).toString('hex');
    rememberSecret(secret);
    const receiver = await startEventReceiver({ secret });
    receivers.push(receiver);
    // The receiver hangs at first: the delivering instance is restarted while its attempt is open.
    receiver.mode('hang');
    const line = await givenLine({
      policy: { ...OPEN_POLICY, queue: { maxWaitSeconds: 60 }, events: { sendTimeoutSeconds: 1, firstRetrySeconds: 1 } },
      events: { url: receiver.url, secret },
    });
    line.sim.answerPages(SAM.phone, { label: 'Sam', answers: 'no-answer' });
    const call = await line.sim.call({
      from: '+447700900668',
      label: 'Ada',
      keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]),
      leavesMessage: { seconds: 15, endsWith: 'finish-key' },
    });
    await line.sim.settled();
    await eventually(() => {
      expect(receiver.requests.some((request) => request.type === 'voicemail.recorded')).toBe(true);
    }, 10_000);
    await Promise.all(line.stack.instances.map((instance) => instance.close()));
    receiver.mode('ok');
    await line.stack.addInstance();

    const [recording] = call.recordings;
    await eventually(() => {
      const voicemails = receiver.events().filter((event) => event.type === 'voicemail.recorded');
      expect(voicemails).toEqual([
        expect.objectContaining({
          type: 'voicemail.recorded',
          data: expect.objectContaining({ callSid: call.callSid, accountId: 'acme', userId: 'ada', callerNumber: '+447700900668', recordingUrl: recording?.url }) as unknown,
        }),
      ]);
    }, 15_000);
    // Sent at least twice (the hung attempt, then after the restart), accepted once by id.
    const voicemailId = receiver.events().find((event) => event.type === 'voicemail.recorded')?.id ?? '';
    expect(receiver.attemptsOf(voicemailId)).toBeGreaterThanOrEqual(2);
    expect(receiver.events().map((event) => event.type)).toContain('call.missed');
    expect(receiver.requests.every((request) => request.verified)).toBe(true);
    expect(receiver.overlaps).toEqual([]);
  }, 40_000);

  it('when nobody is on call, then a verified caller is offered voicemail at once; one who says nothing is told a ticket is open', async () => {
    const line = await givenLine({ rota: [] });
    const call = await line.sim.call({ from: '+447700900667', label: 'Ada', keypad: scriptedKeypad([`${await line.pinFor('ada')}#`]) });
    expect(call.said).toContain(
      'We are sorry, no engineer can take your call right now. Please leave a message after the tone, saying what is wrong, and press the hash key when you have finished.',
    );
    expect(call.said.at(-1)).toMatch(/^We did not hear a message\. Your call has been logged and a ticket opened/);
    // At once: not one hold message first.
    expect(call.said.filter((text) => text.startsWith('You are number'))).toHaveLength(0);
  });

  it('when callgate goes down mid-call, then Twilio plays the hosted fallback: an apology that fits any point of a call', async () => {
    const line = await givenLine();
    // twiml/fallback.xml on a static host that answers POST, as the README asks ("Hosting the fallback").
    const fallbackXml = readFileSync(new URL('../../twiml/fallback.xml', import.meta.url), 'utf8');
    const host = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/xml' }).end(fallbackXml));
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const fallbackUrl = `http://127.0.0.1:${String((host.address() as AddressInfo).port)}/fallback.xml`;
    const sim = simulatorFor(line.stack, { speed: 50, print: () => undefined, fallbackUrl });
    const pin = await line.pinFor('ada');
    // The caller types the PIN just as the only instance dies.
    const keypad: Keypad = {
      press: async () => {
        await Promise.all(line.stack.instances.map((instance) => instance.close()));
        return `${pin}#`;
      },
    };
    const call = await sim.call({ from: '+447700900888', label: 'Ada', keypad });
    host.close();
    expect(call.said.at(-1)).toBe(
      'We are sorry: the emergency support line is not available at the moment. Please open a ticket in the control panel, and our support team will contact you as soon as possible. Goodbye.',
    );
    // https://www.twilio.com/docs/errors/11205: the PIN webhook could not be reached; Twilio then used the fallback.
    expect(sim.errors()[0]).toEqual(expect.objectContaining({ code: 11205, url: expect.stringContaining('/twilio/pin') as unknown }));
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
