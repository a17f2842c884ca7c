import { z } from 'zod';
import { attentionSchema } from '../../console/attention-schema.js';
import type { ConsoleFeed } from '../../console/console-feed.js';
import type { VoicemailAudio } from '../../console/voicemail-audio.js';
import { notFound } from '../../errors.js';
import type { MissedCallers } from '../../oncall/missed-callers.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { json } from '../openapi.js';

const callSidParams = z.object({ callSid: z.string().regex(/^CA[0-9a-fA-F]{32}$/, "expected Twilio's CallSid") });

/**
 * What needs a human, for the on-call console (operator keys only): the shared snapshot of
 * missed callers, dead letters and the guessing bound, and a missed caller's message, played
 * through callgate because Twilio's recording URL takes the account's credentials.
 */
export function opsAttentionRoutes(deps: { feed: ConsoleFeed; missed: Pick<MissedCallers, 'get'>; audio: VoicemailAudio }): ApiRoute[] {
  return [
    defineRoute('get', '/ops/attention', {
      auth: 'ops',
      summary: 'Missed callers and their messages, undelivered events, the guessing bound (operators only)',
      responses: { '200': json(attentionSchema, 'What needs a human') },
      handle: async (_input, res) => {
        res.set('Cache-Control', 'no-store').json(await deps.feed.attention());
      },
    }),
    defineRoute('get', '/ops/missed-calls/{callSid}/voicemail', {
      auth: 'ops',
      summary: "A missed caller's message as audio, fetched from Twilio with the account's credentials (operators only)",
      params: callSidParams,
      responses: {
        '200': { description: 'The recording (WAV)', content: { 'audio/x-wav': { schema: { type: 'string', contentMediaType: 'audio/x-wav' } } } },
      },
      errors: [404, 502],
      handle: async ({ params }, res) => {
        const call = await deps.missed.get(params.callSid);
        if (call?.voicemail === undefined) throw notFound('not_found', `No message from missed call ${params.callSid}.`);
        await deps.audio.stream(call.voicemail.url, res);
      },
    }),
  ];
}
