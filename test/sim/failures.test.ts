import { afterEach, describe, expect, it } from 'vitest';
import { scriptedKeypad } from '../../sim/simulated-twilio.js';
import { serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';

// Retries: https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides
// (defaults: ct 5000 ms, rt 15000 ms, tt 15000 ms, rc 1 retry, rp ct — only failed connections are retried).
// Fallback: https://www.twilio.com/docs/usage/security/availability-reliability
// ("If Twilio is unable to retrieve or execute TwiML… a request is immediately made to the number's
// Fallback URL. Twilio will submit the ErrorCode and ErrorUrl parameters").

const servers: TwimlServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
const serve = async (routes: Parameters<typeof serveTwiml>[0]) => {
  const server = await serveTwiml(routes);
  servers.push(server);
  return server;
};
const silent = scriptedKeypad([]);

describe('webhook failures, as Twilio handles them', () => {
  it('when the connection fails, then Twilio retries once and the call goes on', async () => {
    const app = await serve({ '/voice': twiml('<Say>Welcome.</Say>'), '/status': '' });
    const dead = 'http://127.0.0.1:9'; // nothing listens on the discard port
    const { sim } = simFor(app, { serviceUrls: [dead, app.url] });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: silent });
    expect(call.said).toEqual(['Welcome.']);
    expect(sim.errors()).toEqual([]);
  });

  it('when the connection fails twice, then it is fatal (11205) and the Voice Fallback URL gets ErrorCode and ErrorUrl', async () => {
    const fallback = await serve({ '/fallback': twiml('<Say>Sorry, we are having trouble. Please call back.</Say><Hangup/>') });
    const app = await serve({ '/status': '' });
    const { sim } = simFor(app, { serviceUrls: ['http://127.0.0.1:9'], fallbackUrl: `${fallback.url}/fallback` });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: silent });
    expect(fallback.to('/fallback')[0]?.params).toMatchObject({ ErrorCode: '11205', ErrorUrl: `${app.url}/voice`, From: '+1' });
    expect(call.said).toEqual(['Sorry, we are having trouble. Please call back.']);
    // The status callback cannot get through either: that is logged too, with its own URL.
    expect(sim.errors().map((e) => [e.code, e.url])).toEqual([[11205, `${app.url}/voice`], [11205, `${app.url}/status`]]);
  });

  it('when the service answers 500, then it is not retried (rp=ct) and the fallback document runs mid-call', async () => {
    const fallback = await serve({ '/fallback': twiml('<Say>Sorry.</Say>') });
    const app = await serve({ '/voice': twiml('<Gather numDigits="1" action="/pin"><Say>Press a key.</Say></Gather>'), '/pin': { status: 500 }, '/status': '' });
    const { sim } = simFor(app, { fallbackUrl: `${fallback.url}/fallback` });
    const call = await sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad(['1']) });
    expect(app.to('/pin')).toHaveLength(1);
    expect(fallback.to('/fallback')[0]?.params).toMatchObject({ ErrorCode: '11200', ErrorUrl: `${app.url}/pin`, Digits: '1' });
    expect(call.said.at(-1)).toBe('Sorry.');
  });

  it.each([
    ['a Content-Type that is not XML', { contentType: 'text/html', body: twiml('<Say>Hi</Say>') }, 12300],
    ['TwiML Twilio rejects', { body: twiml('<Sing>Hi</Sing>') }, 12100],
  ])('when the answer has %s, then it is a fatal error with its code', async (_what, answer, code) => {
    const fallback = await serve({ '/fallback': twiml('<Say>Sorry.</Say>') });
    const app = await serve({ '/voice': answer, '/status': '' });
    const { sim } = simFor(app, { fallbackUrl: `${fallback.url}/fallback` });
    await sim.call({ from: '+1', label: 'Ada', keypad: silent });
    expect(fallback.to('/fallback')[0]?.params.ErrorCode).toBe(String(code));
    expect(sim.errors()).toEqual([expect.objectContaining({ code, url: `${app.url}/voice` }) as unknown]);
  });

  it('when there is no fallback URL, then a fatal error fails the call loudly', async () => {
    const app = await serve({ '/voice': { status: 503 }, '/status': '' });
    const { sim } = simFor(app);
    await expect(sim.call({ from: '+1', label: 'Ada', keypad: silent })).rejects.toThrow(/11200/);
  });

  it('when the answer takes longer than the read timeout, then it is fatal (11205) and not retried (rp=ct)', async () => {
    const app = await serve({ '/voice': { hang: true }, '/status': '' });
    const fallback = await serve({ '/fallback': twiml('<Say>Sorry.</Say>') });
    const { sim } = simFor(app, { readTimeoutMs: 100, fallbackUrl: `${fallback.url}/fallback` });
    await sim.call({ from: '+1', label: 'Ada', keypad: silent });
    expect(app.to('/voice')).toHaveLength(1);
    expect(fallback.to('/fallback')[0]?.params.ErrorCode).toBe('11205');
  });
});
