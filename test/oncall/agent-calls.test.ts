import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { createBusySysadmins } from '../../src/oncall/busy-sysadmins.js';
import { createMissedCallers } from '../../src/oncall/missed-callers.js';
import { api } from '../helpers/givens.js';
import { eventually } from '../helpers/eventually.js';
import { rememberSecret } from '../helpers/leak-watch.js';
import { buildTestApp, OPS_KEY, type TestApp } from '../helpers/test-app.js';
import { testClock } from '../helpers/test-clock.js';
import { newCallSid, signedWebhooks, spoken, twimlOf } from '../helpers/twilio-webhooks.js';
import { ALICE, auditEvents, BASE, BOB, bridge, givenWaitingCaller, pagedPhone } from './oncall-helpers.js';

/** The sysadmin who answers a page, or phones in: what they hear, and whom they are connected to. */
const rest = await startTwilioRestApi();
let t: TestApp;
const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await rest.close();
});

beforeEach(async () => {
  rest.calls.length = 0;
  t = await buildTestApp({ env: { TWILIO_API_URL: rest.url }, clock: testClock('2027-03-02T10:00:00Z') });
  apps.push(t);
  expect((await request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([ALICE, BOB])).status).toBe(200);
});

const pageTo = (phone: string) => rest.calls.find((c) => c.to === phone);

/** Alice is paged, answers, and presses 1 to hear who is waiting. */
async function aliceHasHeard() {
  await t.pager.tick();
  const alice = pagedPhone(t, 'alice', pageTo(ALICE.phone));
  await alice.answer();
  await alice.hear('1');
  return alice;
}
const rung = () => rest.calls.map((c) => c.to);

describe('a paged sysadmin', () => {
  it('when a person answers, then they hear no customer detail until they press 1, then the briefing, then exactly that caller', async () => {
    const { call, accountId } = await givenWaitingCaller(t, { name: 'Ken Thompson' });
    await t.pager.tick();
    const alice = pagedPhone(t, 'alice', pageTo(ALICE.phone));

    const greeting = twimlOf(await alice.answer());
    expect(spoken(greeting)).toEqual([
      'This is the emergency support line. A customer is waiting for an on-call engineer. Press 1 to hear who is calling.',
    ]);
    expect(greeting).not.toContain(accountId);

    const briefing = twimlOf(await alice.hear('1'));
    expect(spoken(briefing)).toEqual([
      `Emergency support call. The caller is not the admin contact of the account. The admin contact is named in the control panel as Margaret Hamilton. The account is named in the control panel as Account ${accountId}. The caller is named in the control panel as Ken Thompson. ` +
        'Their plan is Standard. They have waited less than a minute. Nobody else is waiting.',
      'Press 1 to take the call.',
    ]);
    expect(briefing).toContain(`action="${BASE}/twilio/agent-answer?sysadmin=alice&amp;step=take&amp;about=${call.callSid}"`);

    expect(twimlOf(await alice.take('1', call.callSid))).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Amy" language="en-GB">Connecting you to Ken Thompson now.</Say>' +
        `<Dial timeout="5" action="${BASE}/twilio/agent-dialed?sysadmin=alice&amp;about=${call.callSid}" method="POST">` +
        `<Queue url="${BASE}/twilio/bridge?sysadmin=alice&amp;about=${call.callSid}" method="POST">cg-${call.callSid}</Queue></Dial></Response>`,
    );

    // https://www.twilio.com/docs/voice/twiml/queue: the url runs for the dequeued caller just before the bridge.
    expect(spoken(twimlOf(await bridge(t, 'alice', call.callSid, alice.pageSid)))).toEqual(['An engineer is taking your call now.']);
    await call.queueResult('bridged', 30);
    await call.status('completed', 300);
    const history = await api(t.app).get(`/v1/accounts/${accountId}/calls`);
    expect(history.body).toEqual({
      calls: [expect.objectContaining({ callSid: call.callSid, outcome: 'connected', sysadminId: 'alice', durationSeconds: 300 })],
    });
  });

  it.each([
    ['2', 'pressed_other_key'],
    ['', 'no_input'],
  ])('when the sysadmin presses "%s" after the greeting, then goodbye, and the next sysadmin is paged', async (digits, reason) => {
    await givenWaitingCaller(t);
    await t.pager.tick();
    const alice = pagedPhone(t, 'alice', pageTo(ALICE.phone));
    await alice.answer();
    const answer = twimlOf(await alice.hear(digits));
    expect(spoken(answer)).toEqual(['The call was not taken. Goodbye.']);
    await eventually(() => {
      expect(rung()).toEqual([ALICE.phone, BOB.phone]);
    });
    expect(await auditEvents(t)).toContainEqual(expect.objectContaining({ type: 'declined', reason }));
  });

  it.each(['no-answer', 'busy', 'failed', 'canceled'])('when the page ends %s, then the next sysadmin is paged at once', async (status) => {
    await givenWaitingCaller(t);
    await t.pager.tick();
    await pagedPhone(t, 'alice', pageTo(ALICE.phone)).ended(status);
    await eventually(() => {
      expect(rung()).toEqual([ALICE.phone, BOB.phone]);
    });
  });

  it('when two callers of one plan wait and two sysadmins press 1 at once, then each is connected to the caller they heard about', async () => {
    const first = await givenWaitingCaller(t, { name: 'Ken Thompson' });
    const second = await givenWaitingCaller(t, { name: 'Dennis Ritchie' });
    await t.pager.tick();
    const phones = [pagedPhone(t, 'alice', pageTo(ALICE.phone)), pagedPhone(t, 'bob', pageTo(BOB.phone))];
    await Promise.all(phones.map((phone) => phone.answer()));
    const heard = await Promise.all(phones.map(async (phone) => ({ phone, about: /about=(CA[0-9a-f]+)/.exec(twimlOf(await phone.hear('1')))?.[1] ?? '' })));
    expect(heard.map((h) => h.about).sort()).toEqual([first.call.callSid, second.call.callSid].sort());

    const taken = await Promise.all(heard.map(async ({ phone, about }) => twimlOf(await phone.take('1', about))));
    heard.forEach(({ about }, i) => {
      expect(taken[i]).toContain(`>cg-${about}</Queue>`);
    });
  });

  it('when the caller was taken by another sysadmin after the briefing, then the sysadmin hears so and is briefed on the next caller', async () => {
    const first = await givenWaitingCaller(t, { name: 'Ken Thompson' });
    const second = await givenWaitingCaller(t, { name: 'Dennis Ritchie' });
    await t.pager.tick();
    const alice = pagedPhone(t, 'alice', pageTo(ALICE.phone));
    const bob = pagedPhone(t, 'bob', pageTo(BOB.phone));
    await Promise.all([alice.answer(), bob.answer()]);
    await alice.hear('1');
    await bob.hear('1');
    // Bob takes Alice's caller first (as a sysadmin phoning in might).
    expect(twimlOf(await bob.take('1', first.call.callSid))).toContain(`>cg-${first.call.callSid}</Queue>`);
    const answer = twimlOf(await alice.take('1', first.call.callSid));
    expect(spoken(answer)[0]).toBe('The caller you heard about has been taken by another engineer.');
    expect(spoken(answer)[1]).toContain('The caller is named in the control panel as Dennis Ritchie');
    expect(answer).toContain(`about=${second.call.callSid}`);
    expect(answer).not.toContain('<Dial');
  });

  it('when the briefed caller hung up, then the sysadmin is told, never connected to someone unannounced', async () => {
    const { call } = await givenWaitingCaller(t);
    const alice = await aliceHasHeard();
    await call.queueResult('hangup', 20);
    const answer = twimlOf(await alice.take('1', call.callSid));
    expect(spoken(answer)).toEqual(['The caller you heard about is no longer waiting.', 'Nobody is waiting for support right now. Goodbye.']);
  });

  it('when the same press of 1 arrives twice, then the sysadmin still takes only that one caller', async () => {
    const first = await givenWaitingCaller(t, { name: 'Ken Thompson' });
    await givenWaitingCaller(t, { name: 'Dennis Ritchie' });
    const alice = await aliceHasHeard();
    const [once, twice] = await Promise.all([alice.take('1', first.call.callSid), alice.take('1', first.call.callSid)]);
    expect(twimlOf(once)).toBe(twimlOf(twice));
    expect(twimlOf(once)).toContain(`>cg-${first.call.callSid}</Queue>`);
  });

  it('when the sysadmin hangs up after pressing 1, then the caller is paged again at once, not at the maximum wait', async () => {
    const { call } = await givenWaitingCaller(t);
    const alice = await aliceHasHeard();
    await alice.take('1', call.callSid);
    await alice.ended('completed');
    await eventually(() => {
      expect(rung()).toEqual([ALICE.phone, BOB.phone]);
    });
  });

  it('when a reservation is never bridged and no callback comes, then the caller is paged again after 20 s', async () => {
    const { call } = await givenWaitingCaller(t);
    const alice = await aliceHasHeard();
    await alice.take('1', call.callSid);
    t.clock.advance(19_000);
    await call.wait(1, 19);
    await t.pager.tick();
    expect(rung()).toEqual([ALICE.phone]);
    t.clock.advance(1_000);
    await t.pager.tick();
    expect(rung()).toEqual([ALICE.phone, BOB.phone]);
  });

  it('when Redis fails just as Twilio fetches the <Queue> url, then the caller still hears the bridge, not an apology', async () => {
    const { call } = await givenWaitingCaller(t);
    t.redis.disconnect();
    const answer = twimlOf(await bridge(t, 'alice', call.callSid, 'CA0123'));
    expect(answer).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Amy" language="en-GB">An engineer is taking your call now.</Say></Response>',
    );
  });

  // https://www.twilio.com/docs/voice/twiml/dial: the action is requested when the <Dial> ends. The call's
  // status callback is one request, not retried (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides).
  it("when the sysadmin's conversation ended and their call's status callback is lost, then they are paged for the next caller within a minute, not hours later", async () => {
    expect((await request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([ALICE])).status).toBe(200);
    const { call } = await givenWaitingCaller(t);
    const alice = await aliceHasHeard();
    await alice.take('1', call.callSid);
    await bridge(t, 'alice', call.callSid, alice.pageSid);
    expect(spoken(twimlOf(await alice.dialEnded(call.callSid, 'completed')))[0]).toMatch(/call is over|Goodbye/i);

    const next = await givenWaitingCaller(t);
    rest.calls.length = 0;
    await t.pager.tick();
    expect(rung()).toEqual([]);
    t.clock.advance(61_000);
    await next.call.wait(1, 61);
    await t.pager.tick();
    expect(rung()).toEqual([ALICE.phone]);
  });

  // The call-back's <Number url> leg (https://www.twilio.com/docs/voice/twiml/number): ParentCallSid is the sysadmin's call.
  it.each([
    ['1', 'Redis answers', '<Response/>'],
    ['1', 'Redis is down', '<Response/>'],
    ['', 'Redis answers', '<Response><Hangup/></Response>'],
  ])('when the customer called back presses "%s" and %s, then they are put through only for 1', async (digits, redis, twiml) => {
    if (redis === 'Redis is down') t.redis.disconnect();
    const answer = await signedWebhooks(t.app, t.config)(`/twilio/callback-answer?about=${newCallSid()}`, {
      CallSid: newCallSid(),
      ParentCallSid: newCallSid(),
      Digits: digits,
    });
    expect(twimlOf(answer)).toBe(`<?xml version="1.0" encoding="UTF-8"?>${twiml}`);
  });

  it('when the Dial finds the queue empty (the caller left), then the sysadmin hears so and the reservation ends', async () => {
    const { call } = await givenWaitingCaller(t);
    const alice = await aliceHasHeard();
    await alice.take('1', call.callSid);
    const answer = twimlOf(await alice.dialEnded(call.callSid, 'no-answer'));
    expect(spoken(answer)[0]).toBe('The caller you heard about is no longer waiting.');
  });
});

describe('a sysadmin phoning the support line', () => {
  const setPin = (sysadminId: string, pin: string) => {
    rememberSecret(pin);
    return request(t.app).put(`/v1/oncall/${sysadminId}/pin`).set('Authorization', `Bearer ${OPS_KEY}`).send({ pin });
  };
  const callsBack = () => rest.calls.filter((c) => c.url.includes('/twilio/agent-phone-in?'));
  /**
   * A call from `from` to the support line, up to its end; then the call callgate places back to
   * Bob's registered phone (https://www.twilio.com/docs/voice/api/call-resource: Url when answered,
   * StatusCallback when it ends), as Twilio's webhooks for it.
   */
  const phoneIn = (from: string) => {
    const post = signedWebhooks(t.app, t.config);
    const callSid = newCallSid();
    let back = '';
    const onCallBack = (path: string, body: Record<string, string>) => post(path, { CallSid: back, From: t.config.pageCallerId, To: BOB.phone, ...body });
    return {
      callSid,
      voice: () => post('/twilio/voice', { CallSid: callSid, From: from, CallStatus: 'ringing' }),
      /** The call from the number ends (the number's status callback): callgate calls Bob back. */
      async ended() {
        const before = callsBack().length;
        await post('/twilio/status', { CallSid: callSid, From: from, CallStatus: 'completed', CallDuration: '5' });
        await eventually(() => {
          expect(callsBack()).toHaveLength(before + 1);
        });
        back = callsBack().at(-1)?.sid ?? '';
        return callsBack().at(-1);
      },
      answer: () => onCallBack('/twilio/agent-phone-in?sysadmin=bob', { CallStatus: 'in-progress' }),
      pin: (digits: string, attempt = 1) => {
        rememberSecret(digits);
        return onCallBack(`/twilio/agent-pin?sysadmin=bob&attempt=${String(attempt)}`, { Digits: digits });
      },
      hungUp: () => onCallBack('/twilio/agent-phone-in-status?sysadmin=bob', { CallStatus: 'completed', CallDuration: '60' }),
      get backSid() {
        return back;
      },
    };
  };
  /** Bob phones in and answers the call back. */
  const onCallBack = async () => {
    const call = phoneIn(BOB.phone);
    await call.voice();
    await call.ended();
    const asked = spoken(twimlOf(await call.answer()));
    return { call, asked };
  };

  /** `count` calls back to Bob's phone, each typing one wrong on-call PIN. */
  const wrongPinCalls = async (count: number) => {
    for (let i = 0; i < count; i += 1) {
      const { call } = await onCallBack();
      await call.pin('99999999');
      await call.hungUp();
    }
  };

  it('when the call comes from a rota phone, then it is only told it will be called back, and the on-call PIN is asked on the call to the registered phone', async () => {
    await givenWaitingCaller(t);
    const call = phoneIn(BOB.phone);
    expect(spoken(twimlOf(await call.voice()))).toEqual(['Emergency support line. We will call you back on your registered phone now. Goodbye.']);
    expect(await call.ended()).toMatchObject({ to: BOB.phone, url: `${BASE}/twilio/agent-phone-in?sysadmin=bob` });
    const xml = twimlOf(await call.answer());
    expect(spoken(xml)).toEqual(['Emergency support line. Please enter your on-call PIN, followed by the hash key.']);
    expect(xml).toContain('/twilio/agent-pin?sysadmin=bob&amp;attempt=1');
  });

  it('when the PIN is asked on a call from the rota number itself, then it is refused: only the call back may give it', async () => {
    expect((await setPin('bob', '24681357')).status).toBe(204);
    await givenWaitingCaller(t);
    const call = phoneIn(BOB.phone);
    await call.voice();
    const post = signedWebhooks(t.app, t.config);
    rememberSecret('24681357');
    const res = await post('/twilio/agent-pin?sysadmin=bob&attempt=1', { CallSid: call.callSid, From: BOB.phone, Digits: '24681357' });
    expect(spoken(twimlOf(res))).toEqual(['The on-call PIN was not accepted. Goodbye.']);
  });

  it('when whoever answers the call back does not know the PIN, then they hear nothing about customers and are hung up on', async () => {
    expect((await setPin('bob', '24681357')).status).toBe(204);
    await givenWaitingCaller(t);
    const { call } = await onCallBack();
    const answers = [await call.pin('11111111', 1), await call.pin('22222222', 2), await call.pin('33333333', 3)].map((res) => spoken(twimlOf(res)));
    expect(answers.flat().join(' ')).not.toMatch(/Account|Ken|caller is/);
    expect(answers[2]).toEqual(['The on-call PIN was not accepted. Goodbye.']);
  });

  /** What Bob hears for his right on-call PIN after `wrong` wrong ones across calls back. */
  async function rightPinAfterWrong(wrong: number): Promise<string[]> {
    await setPin('bob', '24681357');
    await wrongPinCalls(wrong);
    const { call, asked } = await onCallBack();
    const heard = asked[0]?.startsWith('Too many') === true ? asked : spoken(twimlOf(await call.pin('24681357')));
    await call.hungUp();
    return heard;
  }

  it('when five wrong on-call PINs were typed across calls back, then PIN entry is closed, even to the right one', async () => {
    expect(await rightPinAfterWrong(5)).toEqual([
      'Too many wrong on-call PINs were entered for you. PIN entry is closed for now; an operator can set you a new on-call PIN. Goodbye.',
    ]);
  });

  it('when four wrong on-call PINs were typed across calls back, then the right one is still accepted (the fifth is the limit)', async () => {
    expect(await rightPinAfterWrong(4)).toEqual(['Nobody is waiting for support right now. Goodbye.']);
  });

  it('when an operator sets a new on-call PIN after PIN entry closed, then the new PIN is accepted', async () => {
    await rightPinAfterWrong(5);
    await setPin('bob', '86421357');
    const { call } = await onCallBack();
    expect(spoken(twimlOf(await call.pin('86421357')))).toEqual(['Nobody is waiting for support right now. Goodbye.']);
  });

  it('when a call from Bob\'s number ends while Bob is on a call with a customer, then his phone is not rung (a spoofer cannot interrupt him)', async () => {
    await createBusySysadmins(t.redis).set('bob', { kind: 'connected', callSid: newCallSid(), until: t.clock.now() + 3_600_000, heardAt: t.clock.now() });
    const spoofer = phoneIn(BOB.phone);
    await spoofer.voice();
    const post = signedWebhooks(t.app, t.config);
    await post('/twilio/status', { CallSid: spoofer.callSid, From: BOB.phone, CallStatus: 'completed', CallDuration: '5' });
    await sleep(200);
    expect(callsBack()).toEqual([]);
  });

  it('when another sysadmin starts calling back the missed caller Bob hears about, then 2 takes him to the next one, not past it', async () => {
    await setPin('bob', '24681357');
    const missed = createMissedCallers(t.redis, { windowMs: t.policy.voicemail.missedForHours * 3_600_000 });
    const now = t.clock.now();
    const missedCall = (callSid: string, userName: string, at: number) =>
      missed.record({ callSid, accountId: 'acme', accountName: 'Acme Hosting', userId: userName.toLowerCase(), userName, from: '+447700900111', at, waitSeconds: 60, reason: 'timed_out' });
    const [ada, grace] = [newCallSid(), newCallSid()];
    await missedCall(ada, 'Ada', now - 120_000);
    await missedCall(grace, 'Grace', now - 60_000);
    const { call } = await onCallBack();
    expect(spoken(twimlOf(await call.pin('24681357'))).join(' ')).toMatch(/Ada/);
    // Alice begins calling Ada back meanwhile: Ada leaves Bob's list, and the list shifts under him.
    expect(await missed.claimCallback(ada, { sysadminId: 'alice', agentCallSid: newCallSid(), at: now }, 120_000)).toBe(true);
    const post = signedWebhooks(t.app, t.config);
    const next = await post(`/twilio/agent-missed?sysadmin=bob&index=0&about=${ada}`, { CallSid: call.backSid, Digits: '2' });
    expect(spoken(twimlOf(next)).join(' ')).toMatch(/Grace/);
  });

  it('when the PIN is right, then the sysadmin is briefed, takes the call, and is paged for the next one only after hanging up', async () => {
    expect((await request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([BOB])).status).toBe(200);
    await setPin('bob', '24681357');
    const first = await givenWaitingCaller(t, { name: 'Ken Thompson' });
    await t.pager.tick();
    const page = pagedPhone(t, 'bob', pageTo(BOB.phone));
    // His page found his phone busy: he was phoning in (a page still ringing is never rung over).
    await page.ended('busy');
    const { call } = await onCallBack();
    const briefing = twimlOf(await call.pin('24681357'));
    expect(spoken(briefing)[0]).toMatch(/Ken Thompson/);
    const post = signedWebhooks(t.app, t.config);
    const take = await post(`/twilio/agent-answer?sysadmin=bob&step=take&about=${first.call.callSid}`, { CallSid: call.backSid, Digits: '1' });
    expect(twimlOf(take)).toContain(`>cg-${first.call.callSid}</Queue>`);
    await bridge(t, 'bob', first.call.callSid, call.backSid);

    // While Bob is on the call he is not paged, even when his old page's callback comes again late.
    await givenWaitingCaller(t, { name: 'Dennis Ritchie' });
    await page.ended('busy');
    await t.pager.tick();
    expect(rung()).toEqual([BOB.phone, BOB.phone]);
    // The call back ends (its own status callback): he is paged for Dennis.
    await call.hungUp();
    await eventually(() => {
      expect(rung()).toEqual([BOB.phone, BOB.phone, BOB.phone]);
    });
  });

  it('when the on-call PIN is set, then the API never shows it, only that one is set', async () => {
    await setPin('alice', '13572468');
    const res = await request(t.app).get('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`);
    expect(res.body).toEqual([
      { ...ALICE, hasPin: true },
      { ...BOB, hasPin: false },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('13572468');
  });
});
