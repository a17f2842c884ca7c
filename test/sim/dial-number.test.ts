import { afterEach, describe, expect, it } from 'vitest';
import { HANG_UP, scriptedKeypad } from '../../sim/simulated-twilio.js';
import { parseTwiml } from '../../sim/twiml-document.js';
import { serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';

// <Dial>: https://www.twilio.com/docs/voice/twiml/dial (callerId, timeout default 30, action with
// DialCallStatus completed/busy/no-answer/failed/canceled, DialCallSid, DialCallDuration; the action's
// TwiML continues the call; without an action the next verb runs).
// <Number>: https://www.twilio.com/docs/voice/twiml/number (url: "run on the called party's end, after
// they answer, but before the parties are connected … privately <Play> or <Say> … decline the phone call
// using <Gather> and <Hangup> … not allowed to contain the <Dial> verb"; E.164 numbers).
// Ringing past timeout: https://www.twilio.com/docs/voice/api/call-resource ("a 5-second buffer").

const SAM = '+447700900999';
let app: TwimlServer;
afterEach(async () => {
  await app.close();
});

const ROUTES = {
  '/voice': twiml(`<Say>Putting you through.</Say><Dial callerId="+442070000000" timeout="20" action="/dialled"><Number url="/whisper">${SAM}</Number></Dial><Say>Never reached.</Say>`),
  '/whisper': twiml('<Say>A customer is calling. Press 1 to accept.</Say><Gather numDigits="1" action="/accept"/><Hangup/>'),
  '/accept': (p: Record<string, string>) => (p.Digits === '1' ? twiml('<Say>Connecting.</Say>') : twiml('<Hangup/>')),
  '/dialled': (p: Record<string, string>) => twiml(p.DialCallStatus === 'completed' ? '<Say>Dial completed.</Say>' : `<Say>Nobody took it: ${p.DialCallStatus ?? ''}.</Say>`),
  '/status': '',
};

describe('<Dial><Number> rings a simulated phone', () => {
  it('when the called person answers and accepts in the <Number url> document, then both are connected and talk, and once the caller hangs up the action gets completed with DialBridged=true and its TwiML ignored', async () => {
    // https://www.twilio.com/docs/voice/twiml/number#attributes-url and https://www.twilio.com/docs/voice/twiml/dial#attributes-action
    app = await serveTwiml(ROUTES);
    const { sim, transcript } = simFor(app, { speed: 20 });
    const log = sim.answerPages(SAM, { label: 'Sam', ringSeconds: 4, keypad: scriptedKeypad(['1']), talkSeconds: 60 });
    const call = await sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([]), talkSeconds: 15 });
    expect(log.heard).toEqual(['A customer is calling. Press 1 to accept.', 'Connecting.']);
    expect(call.said).not.toContain('A customer is calling. Press 1 to accept.');
    const whisper = app.to('/whisper')[0]?.params;
    expect(whisper).toMatchObject({ From: '+442070000000', To: SAM, Direction: 'outbound-dial', ParentCallSid: call.callSid, CallStatus: 'in-progress' });
    expect(transcript).toContainEqual({ call: 'Ada', who: 'twilio', text: '(connected with Sam)' });
    expect(transcript.filter((l) => l.call === 'Sam').map((l) => l.text)).toContain('A customer is calling. Press 1 to accept.');
    const dialled = app.to('/dialled')[0]?.params;
    expect(dialled).toMatchObject({ DialCallStatus: 'completed', DialBridged: 'true', DialCallSid: whisper?.CallSid, CallSid: call.callSid, CallStatus: 'completed' });
    expect(Number(dialled?.DialCallDuration)).toBeGreaterThanOrEqual(15);
    // Ada hung up first, and Sam's leg (a child of her call) ended with it.
    expect(transcript).toContainEqual({ call: 'Ada', who: 'twilio', text: '(Ada hung up first; Sam is still on the line)' });
    expect(call.said).not.toContain('Dial completed.'); // the call is over: the action's TwiML is ignored
    expect(call.said).not.toContain('Never reached.');
    expect(call.ending).toBe('bridged');
  });

  it('when nobody answers within timeout plus Twilio\'s 5 s, then the action gets no-answer and its TwiML continues the call', async () => {
    // https://www.twilio.com/docs/voice/twiml/dial#attributes-timeout
    app = await serveTwiml(ROUTES);
    const { sim } = simFor(app, { speed: 20 });
    sim.answerPages(SAM, { label: 'Sam', ringSeconds: 26 });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]) });
    expect(app.to('/whisper')).toEqual([]);
    expect(app.to('/dialled')[0]?.params).toMatchObject({ DialCallStatus: 'no-answer', CallStatus: 'in-progress' });
    expect(call.said.at(-1)).toBe('Nobody took it: no-answer.');
    const duration = Number(app.to('/status')[0]?.params.CallDuration);
    expect(duration).toBeGreaterThanOrEqual(25);
    expect(duration).toBeLessThan(32);
  });

  it('when ringing 24 s with timeout 20, then Twilio\'s extra 5 s lets the person answer', async () => {
    app = await serveTwiml(ROUTES);
    const { sim } = simFor(app, { speed: 20 });
    sim.answerPages(SAM, { label: 'Sam', ringSeconds: 24, keypad: scriptedKeypad(['1']), talkSeconds: 5 });
    await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]) });
    expect(app.to('/dialled')[0]?.params.DialCallStatus).toBe('completed');
  });

  it.each([
    ['busy', 'busy'],
    ['failed', 'failed'],
  ] as const)('when the phone is %s, then the action gets DialCallStatus=%s and the call goes on', async (answers, status) => {
    // https://www.twilio.com/docs/voice/twiml/dial#dialcallstatus-values
    app = await serveTwiml(ROUTES);
    const { sim } = simFor(app, { speed: 20 });
    sim.answerPages(SAM, { label: 'Sam', answers });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]) });
    expect(app.to('/dialled')[0]?.params.DialCallStatus).toBe(status);
    expect(call.said.at(-1)).toBe(`Nobody took it: ${status}.`);
  });

  it('when the number is not a simulated phone, then it never answers (no-answer)', async () => {
    app = await serveTwiml(ROUTES);
    const { sim } = simFor(app, { speed: 40 });
    await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]) });
    expect(app.to('/dialled')[0]?.params.DialCallStatus).toBe('no-answer');
  });

  it('when the called person hangs up during the <Number url> document, then they are never connected and the caller\'s call goes on with the action (simulator\'s choice: completed)', async () => {
    app = await serveTwiml(ROUTES);
    const { sim, transcript } = simFor(app, { speed: 20 });
    sim.answerPages(SAM, { label: 'Sam', keypad: scriptedKeypad([HANG_UP]) });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]) });
    expect(transcript).not.toContainEqual({ call: 'Ada', who: 'twilio', text: '(connected with Sam)' });
    expect(app.to('/dialled')[0]?.params).toMatchObject({ DialCallStatus: 'completed', CallStatus: 'in-progress' });
    expect(call.said.at(-1)).toBe('Dial completed.'); // the caller is still on the line, so it runs
    expect(call.ending).toBe('ended');
  });

  it('when there is no action, then after no-answer the next verb runs; From defaults to the caller\'s number', async () => {
    app = await serveTwiml({ '/voice': twiml(`<Dial timeout="5"><Number url="/whisper">${SAM}</Number></Dial><Say>Next verb.</Say>`), '/whisper': twiml('<Hangup/>'), '/status': '' });
    const { sim } = simFor(app, { speed: 20 });
    sim.answerPages(SAM, { label: 'Sam', ringSeconds: 2 });
    const call = await sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad([]) });
    expect(app.to('/whisper')[0]?.params.From).toBe('+447700900111');
    expect(call.said.at(-1)).toBe('Next verb.');
  });

  it('when the TwiML dials a Number, then it is read with callerId, timeout, action and url; a <Dial> in the url document or a non-E.164 number is rejected', () => {
    // https://www.twilio.com/docs/voice/twiml/number#attributes-url ("not allowed to contain the <Dial> verb")
    const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
    expect(parseTwiml(doc(`<Dial callerId="+442070000000" action="/a"><Number url="/w" method="GET">${SAM}</Number></Dial>`), 'text/xml', 'call')).toEqual([
      { verb: 'DialNumber', number: SAM, callerId: '+442070000000', timeout: 30, action: '/a', method: 'POST', url: '/w', urlMethod: 'GET' },
    ]);
    expect(() => parseTwiml(doc(`<Dial><Number>${SAM}</Number></Dial>`), 'text/xml', 'screen')).toThrow(/<Dial> is not allowed in a screen document/);
    expect(() => parseTwiml(doc('<Dial><Number>020 7000 0000</Number></Dial>'), 'text/xml', 'call')).toThrow(/not an E\.164 number/);
    expect(() => parseTwiml(doc(`<Dial><Number>${SAM}</Number><Number>${SAM}</Number></Dial>`), 'text/xml', 'call')).toThrow(/single <Number>/);
    expect(parseTwiml(doc('<Say>Hi</Say><Gather numDigits="1"/><Hangup/>'), 'text/xml', 'screen')).toHaveLength(3);
  });

  it('when the <Number url> document uses a verb the Number page does not allow, then Twilio cannot run it: the called leg is hung up, never bridged (simulator\'s choice), and the error is logged', async () => {
    // https://www.twilio.com/docs/voice/twiml/number#attributes-url: "The url attribute does not support any other TwiML verbs".
    app = await serveTwiml({ ...ROUTES, '/whisper': twiml('<Say>A customer is calling.</Say><Pause length="2"/><Gather numDigits="1" action="/accept"/>') });
    const { sim, transcript } = simFor(app, { speed: 20 });
    const log = sim.answerPages(SAM, { label: 'Sam', keypad: scriptedKeypad(['1']) });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]) });
    expect(log.heard).toEqual([]);
    expect(transcript).not.toContainEqual({ call: 'Ada', who: 'twilio', text: '(connected with Sam)' });
    expect(app.to('/dialled')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialBridged: 'false' });
    expect(call.said.at(-1)).toBe('Dial completed.');
    expect(sim.errors()).toEqual([expect.objectContaining({ code: 12100, url: `${app.url}/whisper` }) as unknown]);
  });
});
