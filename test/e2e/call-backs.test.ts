import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startEventReceiver } from '../../sim/event-receiver.js';
import { scriptedKeypad, WITHHELD_FROM } from '../../sim/simulated-twilio.js';
import type { PolicyInput } from '../../src/policy/policy-schema.js';
import { DEMO_POLICY } from '../../tools/demo-line.js';
import { eventually } from '../helpers/eventually.js';
import { rememberSecret } from '../helpers/leak-watch.js';
import { ALL_PERMISSIONS, givenLine as givenSimLine, receivers, SAM, SAM_PIN } from './given-line.js';

/**
 * Who the line calls back, through the simulator. A call-back is a <Dial><Number> from the
 * support number (https://www.twilio.com/docs/voice/twiml/dial, https://www.twilio.com/docs/voice/twiml/number):
 * it rings whatever `From` the missed call carried, so the line must refuse withheld placeholders
 * (https://www.twilio.com/changelog/upcoming-changes-to-withheld-caller-ids-behavior-for-dial-calls),
 * other countries and special-rate ranges before a sysadmin can press 1, and read the number out first.
 * The local stack's support number is +442070000000: British numbers only, by default.
 */
const POLICY: PolicyInput = { ...DEMO_POLICY, queue: { maxWaitSeconds: 60 }, pin: { issuesPerUserPerHour: 100 } };

/** The line of test/e2e/given-line.ts, with Globex (Grace) too, Sam's on-call PIN, and pages nobody answers. */
async function givenLine(options: { events?: { url: string; secret: string } } = {}) {
  const line = await givenSimLine({ policy: POLICY, ...options });
  const { stack, panel, ops, sim, transcript } = line;
  await panel('PUT', '/v1/accounts/globex', { name: 'Globex', sla: 'standard' });
  await panel('PUT', '/v1/accounts/globex/users/grace', { name: 'Grace Hopper', permissions: ALL_PERMISSIONS, roles: ['admin_contact'] });
  await ops('PUT', '/v1/oncall/sam/pin', { pin: SAM_PIN });
  rememberSecret(SAM_PIN);
  // Pages while customers wait go unanswered: every verified caller ends up missed.
  sim.answerPages(SAM.phone, { label: 'Sam (paged)', answers: 'no-answer' });

  const pinFor = async (account: string, user: string) => {
    const { body } = await panel('POST', `/v1/accounts/${account}/users/${user}/pin`);
    const pin = (body as { pin: string }).pin;
    rememberSecret(pin);
    return pin;
  };
  /** A verified caller nobody takes: they hang up after a few seconds in the queue. */
  const missedCall = async (from: string, account = 'acme', user = 'ada') => {
    const call = await sim.call({ from, label: user, keypad: scriptedKeypad([`${await pinFor(account, user)}#`]), hangUpAfterQueueSeconds: 3 });
    await sim.settled();
    return call;
  };
  /**
   * Sam phones in and, on whichever leg asks (the call from his phone, or callgate's call back to
   * his registered phone), gives his on-call PIN and then presses `keys` in the missed-callers menu.
   * Returns everything the line said to Sam, and his key presses, in order.
   */
  const samPhonesIn = async (keys: string[]) => {
    const samKeys = [`${SAM_PIN}#`, ...keys];
    sim.answerPages(SAM.phone, { label: 'Sam', keypad: scriptedKeypad(samKeys) });
    const callsBack = () => stack.restApi.calls.filter((call) => call.to === SAM.phone && call.url.includes('/agent-phone-in?')).length;
    const before = callsBack();
    const call = await sim.call({ from: SAM.phone, label: 'Sam', keypad: scriptedKeypad(samKeys) });
    // Caller ID is no credential: callgate rings the registered phone back (Calls.json), and asks the PIN there.
    if (call.said.some((text) => text.includes('We will call you back'))) {
      await eventually(() => {
        expect(callsBack()).toBe(before + 1);
      });
    }
    await sim.settled();
    return transcript.filter((line) => line.call === 'Sam').map((line) => line.text);
  };
  const dialled = () => transcript.filter((line) => line.text.startsWith('(dials '));
  return { stack, sim, transcript, missedCall, samPhonesIn, dialled };
}

describe('who may be called back', () => {
  it('when a caller withheld their number, then the sysadmin hears it cannot be called back, and pressing 1 dials nothing', async () => {
    const line = await givenLine();
    await line.missedCall(WITHHELD_FROM.anonymous);

    const heard = await line.samPhonesIn(['1']);

    expect(heard).toContain('Acme Hosting, Ada Lovelace, less than a minute ago; no message.');
    expect(heard).toContain('Number withheld; cannot be called back.');
    expect(heard).toContain('Press 2 for the next missed caller, 3 to hear their message, or 9 to hear who is waiting.');
    expect(heard).not.toContain('Calling Ada Lovelace back now.');
    expect(line.dialled()).toEqual([]);
  });

  it('when the From is premium-rate or in another country, then it is listed with the reason and never dialled', async () => {
    const line = await givenLine();
    // A UK 09 premium-rate number, then a Dublin number: both could be spoofed by a caller with a valid PIN.
    await line.missedCall('+449098790000');
    await line.missedCall('+35315551234');

    const heard = await line.samPhonesIn(['1', '2', '1']);

    expect(heard).toContain('Premium-rate or special-rate number; cannot be called back.');
    expect(heard).toContain('Number outside the countries this line calls; cannot be called back.');
    expect(heard).not.toContain('Calling Ada Lovelace back now.');
    expect(line.dialled()).toEqual([]);
  });

  it('when the number may be called back, then the sysadmin hears it digit by digit before pressing 1, and it is dialled', async () => {
    const line = await givenLine();
    await line.missedCall('+442079460018');
    const adaPhone = line.sim.answerPages('+442079460018', { label: 'Ada (called back)', ringSeconds: 3, keypad: scriptedKeypad(['1']) });

    const heard = await line.samPhonesIn(['1']);

    const number = heard.indexOf('Their number is plus 4 4, 2 0, 7 9 4 6, 0 0 1 8.');
    const calling = heard.indexOf('Calling Ada Lovelace back now.');
    expect(number).toBeGreaterThan(-1);
    expect(calling).toBeGreaterThan(number);
    expect(heard.slice(number, calling)).toContain('presses 1');
    expect(line.dialled()).toEqual([expect.objectContaining({ call: 'Sam', text: '(dials Ada (called back) at +442079460018)' })]);
    expect(adaPhone.heard).toContain('This is the emergency support line, returning your call. Press 1 to speak to the engineer now.');
  });
});

describe('the missed-callers menu', () => {
  it('when twenty short calls from one account follow an emergency from another, then the emergency is offered first', async () => {
    const line = await givenLine();
    await line.missedCall('+442079460019', 'globex', 'grace');
    for (let i = 0; i < 20; i += 1) await line.missedCall('+442079460018');

    const heard = await line.samPhonesIn([]);

    // Oldest first: Grace's emergency, then Acme's three oldest; Acme's other seventeen come after them.
    expect(heard).toContain('Missed callers to call back: 21.');
    expect(heard).toContain('17 later missed calls from the same accounts come after these.');
    const firstCaller = heard.find((text) => text.includes(' ago; '));
    expect(firstCaller).toMatch(/^Globex, Grace Hopper, /);
  }, 60_000);
});

describe('what the control panel is told', () => {
  it('when a caller who withheld their number is missed, then call.missed carries no caller number', async () => {
    const secret = randomBytes(32).toString('hex');
    rememberSecret(secret);
    const receiver = await startEventReceiver({ secret });
    receivers.push(receiver);
    const line = await givenLine({ events: { url: receiver.url, secret } });
    const withheld = await line.missedCall(WITHHELD_FROM.anonymous);
    const numbered = await line.missedCall('+442079460018');

    await eventually(() => {
      expect(receiver.events().filter((event) => event.type === 'call.missed')).toHaveLength(2);
    }, 10_000);
    const missed = receiver.events().filter((event) => event.type === 'call.missed');
    const dataOf = (callSid: string) => missed.find((event) => (event.data as { callSid: string }).callSid === callSid)?.data;
    expect(dataOf(withheld.callSid)).not.toHaveProperty('callerNumber');
    expect(dataOf(numbered.callSid)).toMatchObject({ callerNumber: '+442079460018' });
  });
});
