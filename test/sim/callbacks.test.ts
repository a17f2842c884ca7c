import { afterEach, describe, expect, it } from 'vitest';
import { scriptedKeypad } from '../../sim/simulated-twilio.js';
import { startTwilioRestApi, type TwilioRestApi } from '../../sim/twilio-rest-api.js';
import { ACCOUNT, serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';

// Status callbacks are asynchronous webhooks Twilio sends when the call ends
// (https://www.twilio.com/docs/voice/api/call-resource#statuscallback); nothing orders them
// against other webhooks, and like any webhook they can fail to arrive
// (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides).

let app: TwimlServer;
let rest: TwilioRestApi | undefined;
afterEach(async () => {
  await app.close();
  await rest?.close();
  rest = undefined;
});

describe('status callbacks that arrive late or not at all', () => {
  it('when a call\'s status callback is delayed, then a later call\'s webhooks arrive before it', async () => {
    app = await serveTwiml({ '/voice': twiml('<Say>Hello.</Say>'), '/status': '' });
    const { sim } = simFor(app);
    const first = await sim.call({ from: '+1', label: 'first', keypad: scriptedKeypad([]), statusCallback: { delaySeconds: 60 } });
    const second = await sim.call({ from: '+2', label: 'second', keypad: scriptedKeypad([]) });
    expect(app.to('/status').map((r) => r.params.CallSid)).toEqual([second.callSid]);
    await sim.settled();
    expect(app.to('/status').map((r) => r.params.CallSid)).toEqual([second.callSid, first.callSid]);
  });

  it('when statusCallbackDelaySeconds is set, then every status callback is late', async () => {
    app = await serveTwiml({ '/voice': twiml('<Say>Hello.</Say>'), '/status': '' });
    const { sim } = simFor(app, { statusCallbackDelaySeconds: 30 });
    await sim.call({ from: '+1', label: 'first', keypad: scriptedKeypad([]) });
    expect(app.to('/status')).toEqual([]);
    await sim.settled();
    expect(app.to('/status')).toHaveLength(1);
  });

  it('when a callback is dropped, then it never arrives — for a caller or for a paged phone', async () => {
    app = await serveTwiml({ '/voice': twiml('<Say>Hello.</Say>'), '/agent': twiml('<Hangup/>'), '/status': '', '/agent-status': '' });
    rest = await startTwilioRestApi();
    const { sim } = simFor(app, { restApi: rest });
    await sim.call({ from: '+1', label: 'lost', keypad: scriptedKeypad([]), statusCallback: { drop: true } });
    sim.answerPages('+447700900999', { label: 'Sam', statusCallback: { drop: true } });
    await fetch(`${rest.url}/2010-04-01/Accounts/${ACCOUNT}/Calls.json`, {
      method: 'POST',
      body: new URLSearchParams({ To: '+447700900999', From: '+442070000000', Url: `${app.url}/agent`, StatusCallback: `${app.url}/agent-status` }),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sim.settled();
    expect(app.to('/agent')).toHaveLength(1);
    expect(app.to('/status')).toEqual([]);
    expect(app.to('/agent-status')).toEqual([]);
  });
});
