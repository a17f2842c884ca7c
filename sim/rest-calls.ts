import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formOf, sendError, sendJson } from './rest-json.js';

/**
 * POST /2010-04-01/Accounts/{AC}/Calls.json
 * (https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource):
 * records every field the client sent and answers 201 with the call's JSON.
 * Answering machine detection takes the page's parameters and defaults
 * (https://www.twilio.com/docs/voice/answering-machine-detection):
 * MachineDetectionTimeout 30 s, MachineDetectionSpeechThreshold 2400 ms,
 * MachineDetectionSpeechEndThreshold 1200 ms, MachineDetectionSilenceTimeout
 * 5000 ms, AsyncAmd false, AsyncAmdStatusCallbackMethod POST.
 */
export interface PlacedCall {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  url: string;
  method: string;
  statusCallback: string | undefined;
  statusCallbackMethod: string;
  /** Twilio's default is ['completed'] when a StatusCallback is given without events. */
  statusCallbackEvent: string[];
  /** Ring time asked for; Twilio's default is 60. */
  timeout: number;
  machineDetection: string | undefined;
  /** Seconds detection may take before AnsweredBy=unknown. */
  machineDetectionTimeout: number;
  machineDetectionSpeechThreshold: number;
  machineDetectionSpeechEndThreshold: number;
  machineDetectionSilenceTimeout: number;
  asyncAmd: boolean;
  asyncAmdStatusCallback: string | undefined;
  asyncAmdStatusCallbackMethod: string;
  /** The Basic auth the client sent: `AccountSid:AuthToken`. */
  auth: string;
  /** Every form field, as sent (repeated fields keep every value). */
  form: Record<string, string[]>;
}

const numberOr = (value: string | null, fallback: number): number => {
  const parsed = Number(value ?? fallback);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
};

/** Creates the call; `answerAfterMs` delays the 201 (the call is placed at once, as Twilio under load may). */
export async function createCall(
  req: IncomingMessage,
  res: ServerResponse,
  accountSid: string,
  auth: string,
  answerAfterMs = 0,
): Promise<PlacedCall | undefined> {
  const form = await formOf(req);
  const to = form.get('To');
  const from = form.get('From');
  const url = form.get('Url');
  if (to === null || from === null) {
    sendError(res, 400, to === null ? 21201 : 21213, to === null ? "No 'To' number is specified" : "No 'From' number is specified");
    return undefined;
  }
  if (url === null && form.get('Twiml') === null && form.get('ApplicationSid') === null) {
    sendError(res, 400, 21205, 'Url parameter is required');
    return undefined;
  }
  const fields: Record<string, string[]> = {};
  for (const [key, value] of form) (fields[key] ??= []).push(value);
  const call: PlacedCall = {
    sid: `CA${randomBytes(16).toString('hex')}`,
    accountSid,
    to,
    from,
    url: url ?? '',
    method: form.get('Method') ?? 'POST',
    statusCallback: form.get('StatusCallback') ?? undefined,
    statusCallbackMethod: form.get('StatusCallbackMethod') ?? 'POST',
    statusCallbackEvent: form.getAll('StatusCallbackEvent').flatMap((event) => event.split(' ')).filter((event) => event !== ''),
    timeout: Number(form.get('Timeout') ?? 60),
    machineDetection: form.get('MachineDetection') ?? undefined,
    machineDetectionTimeout: numberOr(form.get('MachineDetectionTimeout'), 30),
    machineDetectionSpeechThreshold: numberOr(form.get('MachineDetectionSpeechThreshold'), 2400),
    machineDetectionSpeechEndThreshold: numberOr(form.get('MachineDetectionSpeechEndThreshold'), 1200),
    machineDetectionSilenceTimeout: numberOr(form.get('MachineDetectionSilenceTimeout'), 5000),
    asyncAmd: form.get('AsyncAmd') === 'true',
    asyncAmdStatusCallback: form.get('AsyncAmdStatusCallback') ?? undefined,
    asyncAmdStatusCallbackMethod: form.get('AsyncAmdStatusCallbackMethod') ?? 'POST',
    auth,
    form: fields,
  };
  if (call.statusCallbackEvent.length === 0) call.statusCallbackEvent = ['completed'];
  const answer = () => { sendJson(res, 201, {
    sid: call.sid,
    account_sid: accountSid,
    to,
    from,
    status: 'queued',
    direction: 'outbound-api',
    date_created: new Date().toUTCString(),
    uri: `/2010-04-01/Accounts/${accountSid}/Calls/${call.sid}.json`,
  }); };
  if (answerAfterMs > 0) setTimeout(answer, answerAfterMs);
  else answer();
  return call;
}
