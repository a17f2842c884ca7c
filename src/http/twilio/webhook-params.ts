import { z } from 'zod';

// Loose objects: parameters Twilio adds in future pass through untouched.
const callSid = z.string().min(1).max(64);
const seconds = z.coerce.number().int().min(0).catch(0);

export const callParams = z.looseObject({
  CallSid: callSid,
  From: z.string().max(64).default(''),
  // Twilio's STIR/SHAKEN verdict on the caller ID: logged for a rota phone, never a credential.
  StirVerstat: z.string().max(64).optional().catch(undefined),
});
export const pinParams = callParams.extend({ Digits: z.string().max(64).default('') });
// Each prompt's own number (Twilio signs it with the URL): up to 10 failed, 10 empty and 11 account-code prompts a call.
export const pinQuery = z.looseObject({ attempt: z.coerce.number().int().min(1).max(100).catch(1) });
export const waitParams = z.looseObject({
  CallSid: callSid,
  QueuePosition: z.coerce.number().int().min(1).catch(1),
  QueueTime: seconds,
});
export const queueResultParams = callParams.extend({
  QueueSid: z.string().regex(/^QU[0-9a-fA-F]{32}$/).optional().catch(undefined),
  QueueResult: z.string().max(32).default('error'),
  QueueTime: seconds,
});
export const statusParams = callParams.extend({
  CallStatus: z.string().max(32).default('completed'),
  CallDuration: z.coerce.number().int().min(0).optional().catch(undefined),
});

/** Twilio's recording status callback (https://www.twilio.com/docs/voice/twiml/record). */
export const recordingParams = z.looseObject({
  CallSid: callSid,
  RecordingSid: z.string().max(64),
  RecordingUrl: z.url({ protocol: /^https?$/ }),
  RecordingStatus: z.string().max(32).default('completed'),
  RecordingDuration: z.coerce.number().int().min(0).catch(0),
});
