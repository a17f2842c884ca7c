import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formOf, sendError, sendJson } from './rest-json.js';

/**
 * The IncomingPhoneNumber resource, as far as setting up a line needs it
 * (https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource): list the
 * account's numbers (filtered by PhoneNumber: partial numbers match, `*` stands for any digit),
 * fetch one, and update its voice webhooks with the form fields Twilio documents. Only the
 * fields sent are changed. Answers in the JSON shape of Twilio's page (snake_case, RFC 2822 dates).
 */
export interface SimPhoneNumber {
  sid: string;
  phoneNumber: string;
  voiceUrl: string;
  voiceMethod: string;
  voiceFallbackUrl: string | null;
  voiceFallbackMethod: string;
  statusCallback: string;
  statusCallbackMethod: string;
  /** When set, Twilio uses the application's URLs, not voice_url (so does a trunk). */
  voiceApplicationSid: string;
  trunkSid: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PhoneNumberRegistry {
  /** Puts a number on the account, with Twilio's defaults unless `settings` say otherwise. */
  add(phoneNumber: string, settings?: Partial<Omit<SimPhoneNumber, 'sid' | 'phoneNumber'>>): SimPhoneNumber;
  list(): SimPhoneNumber[];
  /** Every update request received, in order: what a dry run must never send. */
  updates: { sid: string; fields: Record<string, string> }[];
  /** The account's verified caller IDs (OutgoingCallerIds): numbers it may call from without owning them. */
  verifiedCallerIds: string[];
}

export function createPhoneNumberRegistry(): PhoneNumberRegistry {
  const numbers: SimPhoneNumber[] = [];
  return {
    add(phoneNumber, settings = {}) {
      const now = new Date();
      const number: SimPhoneNumber = {
        sid: `PN${randomBytes(16).toString('hex')}`,
        phoneNumber,
        voiceUrl: '',
        voiceMethod: 'POST',
        voiceFallbackUrl: null,
        voiceFallbackMethod: 'POST',
        statusCallback: '',
        statusCallbackMethod: 'POST',
        voiceApplicationSid: '',
        trunkSid: null,
        createdAt: now,
        updatedAt: now,
        ...settings,
      };
      numbers.push(number);
      return number;
    },
    list: () => numbers,
    updates: [],
    verifiedCallerIds: [],
  };
}

const LIST_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/IncomingPhoneNumbers\.json$/;
const ONE_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/IncomingPhoneNumbers\/(PN[0-9a-fA-F]{32})\.json$/;

// The form fields of an update this stand-in understands, by the property each one sets.
const FIELDS = {
  VoiceUrl: 'voiceUrl',
  VoiceMethod: 'voiceMethod',
  VoiceFallbackUrl: 'voiceFallbackUrl',
  VoiceFallbackMethod: 'voiceFallbackMethod',
  StatusCallback: 'statusCallback',
  StatusCallbackMethod: 'statusCallbackMethod',
} as const;
const METHOD_FIELDS = new Set(['VoiceMethod', 'VoiceFallbackMethod', 'StatusCallbackMethod']);

function numberJson(accountSid: string, number: SimPhoneNumber) {
  const uri = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${number.sid}.json`;
  return {
    account_sid: accountSid,
    address_requirements: 'none',
    api_version: '2010-04-01',
    beta: false,
    capabilities: { voice: true, sms: false, mms: false, fax: false },
    date_created: number.createdAt.toUTCString(),
    date_updated: number.updatedAt.toUTCString(),
    friendly_name: number.phoneNumber,
    phone_number: number.phoneNumber,
    origin: 'twilio',
    sid: number.sid,
    sms_application_sid: '',
    sms_fallback_method: 'POST',
    sms_fallback_url: '',
    sms_method: 'POST',
    sms_url: '',
    status_callback: number.statusCallback,
    status_callback_method: number.statusCallbackMethod,
    trunk_sid: number.trunkSid,
    uri,
    voice_receive_mode: 'voice',
    voice_application_sid: number.voiceApplicationSid,
    voice_caller_id_lookup: false,
    voice_fallback_method: number.voiceFallbackMethod,
    voice_fallback_url: number.voiceFallbackUrl,
    voice_method: number.voiceMethod,
    voice_url: number.voiceUrl,
    status: 'in-use',
    subresource_uris: { assigned_add_ons: uri.replace(/\.json$/, '/AssignedAddOns.json') },
  };
}

/** Twilio's PhoneNumber filter: a partial number matches anywhere, `*` is any one digit. */
function matchesFilter(phoneNumber: string, filter: string | null): boolean {
  if (filter === null || filter === '') return true;
  const pattern = filter.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '\\d');
  return new RegExp(pattern).test(phoneNumber);
}

const CALLER_IDS_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/OutgoingCallerIds\.json$/;

/** The OutgoingCallerId list (https://www.twilio.com/docs/voice/api/outgoing-caller-ids), with the PhoneNumber filter. */
function listCallerIds(accountSid: string, url: URL, res: ServerResponse, registry: PhoneNumberRegistry): void {
  const listUri = `/2010-04-01/Accounts/${accountSid}/OutgoingCallerIds.json`;
  const found = registry.verifiedCallerIds.filter((phoneNumber) => matchesFilter(phoneNumber, url.searchParams.get('PhoneNumber')));
  sendJson(res, 200, {
    outgoing_caller_ids: found.map((phoneNumber) => {
      // A stable sid per number: the stand-in keeps no more than the numbers.
      const sid = `PN${createHash('md5').update(phoneNumber).digest('hex')}`;
      const date = new Date(0).toUTCString();
      return { account_sid: accountSid, date_created: date, date_updated: date, friendly_name: phoneNumber, phone_number: phoneNumber, sid, uri: `${listUri.replace(/\.json$/, '')}/${sid}.json` };
    }),
    first_page_uri: `${listUri}${url.search}`,
    next_page_uri: null,
    page: 0,
    page_size: 50,
    previous_page_uri: null,
    start: 0,
    end: Math.max(0, found.length - 1),
    uri: `${listUri}${url.search}`,
  });
}

/** Answers an IncomingPhoneNumbers (or OutgoingCallerIds list) request; false when `url` is neither. */
export async function handlePhoneNumbers(req: IncomingMessage, url: URL, res: ServerResponse, registry: PhoneNumberRegistry): Promise<boolean> {
  const method = req.method ?? 'GET';
  const callerIds = CALLER_IDS_PATH.exec(url.pathname);
  if (callerIds !== null && method === 'GET') {
    listCallerIds(callerIds[1] ?? '', url, res, registry);
    return true;
  }
  const list = LIST_PATH.exec(url.pathname);
  if (list !== null && method === 'GET') {
    const accountSid = list[1] ?? '';
    const found = registry.list().filter((number) => matchesFilter(number.phoneNumber, url.searchParams.get('PhoneNumber')));
    const listUri = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`;
    sendJson(res, 200, {
      first_page_uri: `${listUri}${url.search}`,
      end: Math.max(0, found.length - 1),
      incoming_phone_numbers: found.map((number) => numberJson(accountSid, number)),
      next_page_uri: null,
      page: 0,
      page_size: Number(url.searchParams.get('PageSize') ?? 50),
      previous_page_uri: null,
      start: 0,
      uri: `${listUri}${url.search}`,
    });
    return true;
  }
  const one = ONE_PATH.exec(url.pathname);
  if (one === null || (method !== 'GET' && method !== 'POST')) return false;
  const [, accountSid = '', sid = ''] = one;
  const number = registry.list().find((candidate) => candidate.sid === sid);
  if (number === undefined) {
    sendError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
    return true;
  }
  if (method === 'POST') {
    const form = await formOf(req);
    const bad = [...METHOD_FIELDS].find((field) => form.has(field) && !['GET', 'POST'].includes(form.get(field) ?? ''));
    if (bad !== undefined) {
      sendError(res, 400, 20001, `${bad} must be GET or POST`);
      return true;
    }
    const fields: Record<string, string> = {};
    for (const [field, property] of Object.entries(FIELDS)) {
      const value = form.get(field);
      if (value === null) continue;
      fields[field] = value;
      number[property] = value;
    }
    registry.updates.push({ sid, fields });
    number.updatedAt = new Date();
  }
  sendJson(res, 200, numberJson(accountSid, number));
  return true;
}
