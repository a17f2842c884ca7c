import { afterEach, describe, expect, it } from 'vitest';
import { scriptedKeypad } from '../../sim/simulated-twilio.js';
import { startTwilioRestApi, type TwilioRestApi } from '../../sim/twilio-rest-api.js';
import { ACCOUNT, serveTwiml, simFor, twiml, type TwimlServer } from './twiml-server.js';
import { until } from './until.js';

// The Queue resource: https://www.twilio.com/docs/voice/api/queue-resource
// ("Queues persist"; list, fetch, and delete — only an empty queue can be deleted).
// The Member resource: https://www.twilio.com/docs/voice/api/member-resource

const TOKEN = 'secret-token';
let rest: TwilioRestApi;
let app: TwimlServer;
afterEach(async () => {
  await rest.close();
  await app.close();
});

const api = (path: string, method = 'GET', auth = `${ACCOUNT}:${TOKEN}`) =>
  fetch(`${rest.url}/2010-04-01/Accounts/${ACCOUNT}${path}`, { method, headers: { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } });

async function givenOneCallerQueued() {
  rest = await startTwilioRestApi({ accountSid: ACCOUNT, authToken: TOKEN });
  app = await serveTwiml({ '/voice': twiml('<Enqueue waitUrl="/wait">cg-caller-1</Enqueue>'), '/wait': twiml('<Pause length="5"/>'), '/status': '' });
  const { sim } = simFor(app, { restApi: rest });
  const call = sim.call({ from: '+1', label: 'Ada', keypad: scriptedKeypad([]), hangUpAfterQueueSeconds: 40 });
  await until(() => rest.queues.byName('cg-caller-1')?.members.length === 1);
  return { call };
}

describe('the Queue resource of the REST stand-in', () => {
  it('when a caller waits, then the queue is listed and fetched with its size, and its member is listed', async () => {
    await givenOneCallerQueued();
    const list = (await (await api('/Queues.json')).json()) as { queues: { sid: string; friendly_name: string; current_size: number }[] };
    expect(list.queues.map(({ friendly_name, current_size }) => ({ friendly_name, current_size }))).toEqual([{ friendly_name: 'cg-caller-1', current_size: 1 }]);
    const sid = list.queues[0]?.sid ?? '';
    expect(sid).toMatch(/^QU[0-9a-f]{32}$/);
    expect(await (await api(`/Queues/${sid}.json`)).json()).toMatchObject({ sid, current_size: 1 });
    expect(await (await api(`/Queues/${sid}/Members.json`)).json()).toMatchObject({ queue_members: [{ position: 1, queue_sid: sid }] });
  });

  it('when the queue still has a member, then DELETE is refused with a 400 and Twilio-style error JSON; once empty it is 204 and then 404', async () => {
    const { call } = await givenOneCallerQueued();
    const sid = rest.queues.byName('cg-caller-1')?.sid ?? '';
    const refused = await api(`/Queues/${sid}.json`, 'DELETE');
    expect(refused.status).toBe(400);
    const error = (await refused.json()) as { code: number; message: string; status: number };
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/not empty/);
    expect(typeof error.code).toBe('number');

    await call; // the caller gives up; the queue persists, empty
    expect(await (await api(`/Queues/${sid}.json`)).json()).toMatchObject({ current_size: 0 });
    expect((await api(`/Queues/${sid}.json`, 'DELETE')).status).toBe(204);
    expect((await api(`/Queues/${sid}.json`, 'DELETE')).status).toBe(404);
  });

  it('when the credentials are wrong, then 401 (code 20003); when told to fail, then any request gets a 500', async () => {
    await givenOneCallerQueued();
    const denied = await api('/Queues.json', 'GET', `${ACCOUNT}:wrong`);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ code: 20003 });
    rest.behave('fail');
    expect((await api('/Queues.json')).status).toBe(500);
    expect((await api('/Queues.json')).status).toBe(200);
  });
});
