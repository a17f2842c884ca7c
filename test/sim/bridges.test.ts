import { afterEach, describe, expect, it } from 'vitest';
import { HANG_UP, scriptedKeypad } from '../../sim/simulated-twilio.js';
import { serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';
import { until } from './until.js';

// After a bridge either party may hang up first, and the other leg goes on:
// https://www.twilio.com/docs/voice/twiml/dial ("the two parties can communicate until one hangs up"; the action gets
// DialCallStatus, DialCallSid, DialCallDuration and DialBridged, "whether the dial call has been connected to the dialed
// destination"; "Twilio will continue the initial call after the dialed party hangs up");
// https://www.twilio.com/docs/voice/twiml/enqueue (the action "is hit once when the bridged parties disconnect", QueueResult=bridged);
// https://www.twilio.com/docs/studio/widget-library/enqueue-call (control of "the live call after dequeueing" comes back when
// it was dequeued with <Dial><Queue>). Who hangs up first: the shorter talkSeconds; equal ones hang up together (simulator's choice).

const SAM = '+447700900999';
const silent = scriptedKeypad([]);
let app: TwimlServer;
afterEach(async () => {
  await app.close();
});

const dialAction = (p: Record<string, string>) => twiml(`<Say>Dial action: ${p.DialCallStatus ?? ''}, bridged ${p.DialBridged ?? 'unsent'}.</Say>`);

describe('after <Dial><Number> connects, either party may hang up first', () => {
  const numberLine = () =>
    serveTwiml({
      '/voice': twiml(`<Dial timeout="20" action="/dialled"><Number url="/whisper">${SAM}</Number></Dial>`),
      '/whisper': twiml('<Say>A customer is calling.</Say>'),
      '/dialled': dialAction,
      '/status': '',
    });

  it('when the called party hangs up first, then the action gets DialBridged=true and its TwiML runs on the caller, who is still on the line', async () => {
    app = await numberLine();
    const { sim, transcript } = simFor(app);
    sim.answerPages(SAM, { label: 'Sam', talkSeconds: 10 });
    const call = await sim.call({ from: '+447700900111', label: 'Ada', keypad: silent, talkSeconds: 60 });
    const dialled = app.to('/dialled')[0]?.params;
    expect(dialled).toMatchObject({ DialCallStatus: 'completed', DialBridged: 'true', CallStatus: 'in-progress' });
    expect(Number(dialled?.DialCallDuration)).toBeGreaterThanOrEqual(10);
    expect(call.said.at(-1)).toBe('Dial action: completed, bridged true.');
    expect(call.ending).toBe('bridged');
    const texts = transcript.filter((l) => l.call === 'Ada').map((l) => l.text);
    expect(texts).toContain('(Sam hung up first; Ada is still on the line)');
    expect(texts.some((text) => text.startsWith("(the Dial's action runs on: DialCallStatus=completed, DialBridged=true"))).toBe(true);
  });

  it('when both talk equally long, then both hang up at once and the action\'s TwiML is not run', async () => {
    app = await numberLine();
    const { sim, transcript } = simFor(app);
    sim.answerPages(SAM, { label: 'Sam', talkSeconds: 20 });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: silent, talkSeconds: 20 });
    expect(app.to('/dialled')[0]?.params).toMatchObject({ DialBridged: 'true', CallStatus: 'completed' });
    expect(call.said).not.toContain('Dial action: completed, bridged true.');
    expect(transcript).toContainEqual({ call: 'Ada', who: 'twilio', text: '(the conversation ends: both hang up at once)' });
  });

  it('when the called party leaves by hangUpAfterSeconds before their talkSeconds, then that decides who hung up first', async () => {
    app = await numberLine();
    const { sim } = simFor(app);
    sim.answerPages(SAM, { label: 'Sam', talkSeconds: 300, hangUpAfterSeconds: 8 });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: silent, talkSeconds: 300 });
    expect(call.said.at(-1)).toBe('Dial action: completed, bridged true.');
    expect(Number(app.to('/status')[0]?.params.CallDuration)).toBeLessThan(60);
  });

  it.each([
    ['nobody answers', { label: 'Sam', answers: 'no-answer' as const }, 'no-answer'],
    ['the phone is busy', { label: 'Sam', answers: 'busy' as const }, 'busy'],
    ['the called party declines in the <Number url> document', { label: 'Sam', keypad: scriptedKeypad([HANG_UP]) }, 'completed'],
  ])('when %s, then the action gets DialBridged=false', async (_what, script, status) => {
    app = await serveTwiml({
      '/voice': twiml(`<Dial timeout="10" action="/dialled"><Number url="/whisper">${SAM}</Number></Dial>`),
      '/whisper': twiml('<Gather numDigits="1"><Say>Press 1.</Say></Gather>'),
      '/dialled': dialAction,
      '/status': '',
    });
    const { sim } = simFor(app);
    sim.answerPages(SAM, script);
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: silent });
    expect(app.to('/dialled')[0]?.params).toMatchObject({ DialCallStatus: status, DialBridged: 'false' });
    expect(call.said.at(-1)).toBe(`Dial action: ${status}, bridged false.`);
  });
});

describe('after <Dial><Queue> connects, either party may hang up first', () => {
  const queueLine = (bridgeDoc = '<Say>An engineer is taking your call now.</Say>') =>
    serveTwiml({
      '/voice': (p) =>
        p.From === SAM
          ? twiml('<Dial timeout="10" action="/dialed"><Queue url="/bridge">support</Queue></Dial><Say>Next verb.</Say>')
          : twiml('<Enqueue waitUrl="/wait" action="/queue-result">support</Enqueue><Say>After the queue.</Say>'),
      '/wait': twiml('<Pause length="5"/>'),
      '/bridge': twiml(bridgeDoc),
      '/dialed': dialAction,
      '/queue-result': (p) => twiml(`<Say>Enqueue action: ${p.QueueResult ?? ''}.</Say>`),
      '/status': '',
    });

  async function bridged(callerTalk: number, sysadminTalk: number, caller: Record<string, unknown> = {}) {
    app = await queueLine();
    const { sim, transcript } = simFor(app);
    const waiting = sim.call({ from: '+2', label: 'Ada', keypad: silent, talkSeconds: callerTalk, ...caller });
    await until(() => sim.queues.byName('support')?.members.length === 1);
    const sysadmin = await sim.call({ from: SAM, label: 'Sam', keypad: silent, talkSeconds: sysadminTalk });
    return { ada: await waiting, sam: sysadmin, transcript };
  }

  it('when the caller hangs up first, then the sysadmin\'s Dial action gets DialBridged=true and its TwiML runs; the caller\'s Enqueue action is requested, its TwiML not run', async () => {
    const { ada, sam, transcript } = await bridged(10, 60);
    expect(app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialBridged: 'true', DialCallSid: ada.callSid, CallStatus: 'in-progress' });
    expect(Number(app.to('/dialed')[0]?.params.DialCallDuration)).toBeGreaterThanOrEqual(10);
    expect(sam.said.at(-1)).toBe('Dial action: completed, bridged true.');
    expect(app.to('/queue-result')[0]?.params).toMatchObject({ QueueResult: 'bridged', CallStatus: 'completed', CallSid: ada.callSid });
    expect(ada.said).not.toContain('Enqueue action: bridged.');
    expect(ada.ending).toBe('bridged');
    expect(transcript).toContainEqual({ call: 'Sam', who: 'twilio', text: '(Ada hung up first; Sam is still on the line)' });
  });

  it('when the sysadmin hangs up first, then the caller\'s Enqueue action gets QueueResult=bridged and its TwiML runs; the Dial action\'s TwiML is not run', async () => {
    const { ada, sam, transcript } = await bridged(60, 10);
    expect(app.to('/queue-result')[0]?.params).toMatchObject({ QueueResult: 'bridged', CallStatus: 'in-progress' });
    expect(Number(app.to('/queue-result')[0]?.params.QueueTime)).toBeLessThan(5); // the wait, not the conversation
    expect(ada.said.at(-1)).toBe('Enqueue action: bridged.');
    expect(ada.ending).toBe('bridged');
    expect(app.to('/dialed')[0]?.params).toMatchObject({ DialBridged: 'true', CallStatus: 'completed' });
    expect(sam.said).not.toContain('Dial action: completed, bridged true.');
    expect(transcript).toContainEqual({ call: 'Ada', who: 'twilio', text: '(Sam hung up first; Ada is still on the line)' });
    expect(transcript).toContainEqual({ call: 'Ada', who: 'twilio', text: '(leaves queue support: QueueResult=bridged, still on the line)' });
  });

  it('when both talk equally long, then both hang up together and neither action\'s TwiML runs', async () => {
    const { ada, sam } = await bridged(20, 20);
    expect(ada.said).not.toContain('Enqueue action: bridged.');
    expect(sam.said).not.toContain('Dial action: completed, bridged true.');
  });

  it('when the caller hangs up while hearing the <Queue url> document, then the Dial ends unbridged (DialBridged=false) and its TwiML runs on the sysadmin', async () => {
    app = await queueLine('<Say>An engineer is taking your call now.</Say>');
    const { sim } = simFor(app);
    const waiting = sim.call({ from: '+2', label: 'Ada', keypad: silent, hangUpWhenHearing: /engineer is taking/ });
    await until(() => sim.queues.byName('support')?.members.length === 1);
    const sam = await sim.call({ from: SAM, label: 'Sam', keypad: silent });
    const ada = await waiting;
    expect(app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialBridged: 'false', DialCallSid: ada.callSid, DialCallDuration: '0' });
    expect(sam.said.at(-1)).toBe('Dial action: completed, bridged false.');
    expect(app.to('/queue-result')[0]?.params.QueueResult).toBe('hangup');
  });

  it('when nobody joins the queue before the Dial times out, then the action gets no-answer with DialBridged=false', async () => {
    app = await queueLine();
    const { sim } = simFor(app);
    sim.queues.open('support');
    const sam = await sim.call({ from: SAM, label: 'Sam', keypad: silent });
    expect(app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'no-answer', DialBridged: 'false' });
    expect(sam.said.at(-1)).toBe('Dial action: no-answer, bridged false.');
  });
});
