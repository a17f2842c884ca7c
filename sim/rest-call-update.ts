import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Party } from './party.js';
import { formOf, sendError, sendJson } from './rest-json.js';

/**
 * POST /2010-04-01/Accounts/{AC}/Calls/{CA}.json
 * (https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource):
 * Status=completed hangs up a live call; Url (with Method, default POST)
 * gives it new TwiML. The simulator honours a Url only where it models what
 * follows (https://www.twilio.com/docs/voice/twiml/enqueue): a call waiting in
 * a queue leaves it (its <Enqueue> action gets QueueResult=redirected at once)
 * and a call bridged out of a queue leaves the conversation
 * (redirected-from-bridged). Any other redirect is refused with a 400 that
 * says so, rather than accepted and ignored. An unknown or finished call is a
 * 404 (code 20404), and so is a <Dial> leg (the simulator does not list them).
 */
export type LiveCalls = Map<string, Party>;

export async function updateCall(req: IncomingMessage, res: ServerResponse, accountSid: string, callSid: string, live: LiveCalls): Promise<void> {
  const form = await formOf(req);
  const party = live.get(callSid);
  if (party === undefined || party.isGone) {
    sendError(res, 404, 20404, `The requested resource /2010-04-01/Accounts/${accountSid}/Calls/${callSid}.json was not found`);
    return;
  }
  const answer = (status: string) => {
    sendJson(res, 200, { sid: callSid, account_sid: accountSid, status, uri: `/2010-04-01/Accounts/${accountSid}/Calls/${callSid}.json` });
  };
  const url = form.get('Url');
  if (form.get('Status') === 'completed') {
    party.hangUp();
    answer('completed');
    return;
  }
  if (url !== null && party.acceptsRedirect) {
    party.requestRedirect({ url, method: (form.get('Method') ?? 'POST').toUpperCase() });
    answer('in-progress');
    return;
  }
  sendError(res, 400, 20001, 'The simulator models a Call update only as Status=completed, or as a Url for a call in (or bridged out of) a queue');
}
