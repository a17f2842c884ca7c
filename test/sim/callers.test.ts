import { afterEach, describe, expect, it } from 'vitest';
import { scriptedKeypad, WITHHELD_FROM } from '../../sim/simulated-twilio.js';
import { serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';

// Request parameters: https://www.twilio.com/docs/usage/webhooks/voice-webhooks
// Withheld numbers (ANONYMOUS → +266696687 …): https://www.twilio.com/changelog/upcoming-changes-to-withheld-caller-ids-behavior-for-dial-calls
// <Gather>: https://www.twilio.com/docs/voice/twiml/gather (numDigits, finishOnKey '#', 5 s timeout, falls through without input)
// <Say>/<Play>/<Pause> take time: https://www.twilio.com/docs/voice/twiml/play (loop), https://www.twilio.com/docs/voice/twiml/pause

let app: TwimlServer;
afterEach(async () => {
  await app.close();
});

const PIN_LINE = {
  '/voice': twiml('<Gather numDigits="4" action="/pin"><Say>Enter your PIN, followed by the hash key.</Say></Gather><Say>We did not get your PIN.</Say>'),
  '/pin': (p: Record<string, string>) =>
    p.Digits === '1234'
      ? twiml('<Say>Thank you. Connecting you now.</Say><Pause length="30"/><Say>Still there?</Say>')
      : twiml('<Gather numDigits="4" action="/pin"><Say>Not recognised. Try again.</Say></Gather><Say>Goodbye.</Say>'),
  '/status': '',
};

describe('callers as Twilio presents them', () => {
  it('when someone calls, then the Voice URL gets the standard parameters, and the end of the call reaches the status callback', async () => {
    app = await serveTwiml(PIN_LINE);
    const { sim } = simFor(app, { speed: 40 }); // slow enough that real HTTP time barely moves the virtual clock
    const call = await sim.call({ from: '+447700900111', label: 'Ada', keypad: scriptedKeypad(['1234']), stirVerstat: 'TN-Validation-Passed-A', hangUpAfterSeconds: 20 });
    expect(app.to('/voice')[0]?.params).toEqual({
      CallSid: call.callSid, AccountSid: expect.any(String) as string, From: '+447700900111', To: '+442070000000', Caller: '+447700900111', Called: '+442070000000',
      Direction: 'inbound', CallStatus: 'ringing', ApiVersion: '2010-04-01', StirVerstat: 'TN-Validation-Passed-A',
    });
    expect(app.to('/pin')[0]?.params.CallStatus).toBe('in-progress');
    expect(app.to('/status')[0]?.params).toMatchObject({ CallSid: call.callSid, CallStatus: 'completed' });
    // A caller who hangs up mid-call (here, 20 s in, during the pause) is still reported as completed.
    expect(call.ending).toBe('caller-hung-up');
    expect(call.said).not.toContain('Still there?');
  });

  it('when the caller withholds their number, then From is one of Twilio\'s placeholders', async () => {
    app = await serveTwiml(PIN_LINE);
    const { sim } = simFor(app, { speed: 40 }); // slow enough that real HTTP time barely moves the virtual clock
    await sim.call({ from: WITHHELD_FROM.anonymous, label: 'Withheld', keypad: scriptedKeypad([]) });
    expect(app.to('/voice')[0]?.params.From).toBe('+266696687');
  });

  it('when the caller hears a prompt matching hangUpWhenHearing, then they hang up during it', async () => {
    app = await serveTwiml(PIN_LINE);
    const { sim } = simFor(app, { speed: 40 }); // slow enough that real HTTP time barely moves the virtual clock
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad(['1234']), hangUpWhenHearing: /Connecting you/ });
    expect(call.ending).toBe('caller-hung-up');
    expect(call.said.at(-1)).toBe('Thank you. Connecting you now.');
    expect(Number(app.to('/status')[0]?.params.CallDuration)).toBeLessThan(10); // not after the 30 s pause
  });

  it('when a 4-digit PIN is followed by "#", then the Gather submits at 4 digits and the stray "#" ends the next Gather empty-handed', async () => {
    app = await serveTwiml(PIN_LINE);
    const { sim } = simFor(app, { speed: 40 }); // slow enough that real HTTP time barely moves the virtual clock
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad(['9999#', '1234']) });
    expect(app.to('/pin').map((r) => r.params.Digits)).toEqual(['9999']);
    // The '#' lands on "Not recognised. Try again.", cuts it short with no digits, and the Gather falls through.
    expect(call.said.at(-1)).toBe('Goodbye.');
  });

  it('when nothing is typed, then the Gather waits its 5 s timeout and falls through to the next verb', async () => {
    app = await serveTwiml(PIN_LINE);
    const { sim } = simFor(app, { speed: 40 }); // slow enough that real HTTP time barely moves the virtual clock
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([null]) });
    expect(call.said.at(-1)).toBe('We did not get your PIN.');
    expect(Number(app.to('/status')[0]?.params.CallDuration)).toBeGreaterThanOrEqual(5);
  });

  it('when a <Play> of a 40 s track runs, then the call lasts that long; a <Say> takes ~0.06 s a character', async () => {
    app = await serveTwiml({ '/voice': twiml(`<Play>https://x/track.mp3</Play><Say>${'a'.repeat(200)}</Say>`), '/status': '' });
    const { sim } = simFor(app, { speed: 40, mediaSeconds: { 'https://x/track.mp3': 40 } });
    await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]) });
    const duration = Number(app.to('/status')[0]?.params.CallDuration);
    expect(duration).toBeGreaterThanOrEqual(52); // 40 + 200 × 0.06
    expect(duration).toBeLessThan(60);
  });
});
