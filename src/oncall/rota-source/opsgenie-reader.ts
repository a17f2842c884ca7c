import { z } from 'zod';
import type { RotaSourceConfig } from '../../config.js';
import { e164Of, getJson, rotaOf, type OnCallPerson, type RotaReader } from './rota-source.js';

/**
 * Who is on call now in one Opsgenie schedule, in the schedule's order, with the phones of their
 * contacts: GET /v2/schedules/{id}/on-calls (users, or teams and escalations with participants of
 * their own) and GET /v2/users/{id}?expand=contact (a contact's `to` is "<calling code>-<number>").
 * https://docs.opsgenie.com/docs/who-is-on-call-api, https://docs.opsgenie.com/docs/user-api
 */
const participantSchema = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  escalationTime: z.number().optional(),
  get onCallParticipants() {
    return z.array(participantSchema).optional();
  },
});
type Participant = z.output<typeof participantSchema>;

const onCallsSchema = z.object({ data: z.object({ onCallParticipants: z.array(participantSchema).default([]) }) });

const userSchema = z.object({
  data: z.object({
    id: z.string(),
    username: z.string().optional(),
    fullName: z.string().optional(),
    userContacts: z.array(z.object({ to: z.string(), contactMethod: z.string(), enabled: z.boolean().optional() })).default([]),
  }),
});

// A voice number first: the page is a call. An SMS number is most often the same mobile.
const PHONE_METHODS = ['voice', 'sms'];

/** Users in paging order: an escalation's participants by their escalation time, nested ones in place. */
function usersIn(participants: Participant[]): { id: string; name: string | undefined }[] {
  const ordered = [...participants].sort((a, b) => (a.escalationTime ?? 0) - (b.escalationTime ?? 0));
  return ordered.flatMap((participant) => {
    if (participant.type === 'user' && participant.id !== undefined) return [{ id: participant.id, name: participant.name }];
    return usersIn(participant.onCallParticipants ?? []);
  });
}

/** "1-9999999999" as Opsgenie keeps it; "+1…" taken as it is. */
function phoneOf(to: string): string | undefined {
  const dash = to.indexOf('-');
  if (dash > 0) return e164Of(to.slice(dash + 1), to.slice(0, dash).replace(/^\+/, ''));
  return to.startsWith('+') ? e164Of(to) : undefined;
}

export function createOpsgenieReader(source: Extract<RotaSourceConfig, { kind: 'opsgenie' }>): RotaReader {
  const base = source.apiUrl.replace(/\/+$/, '');
  const authorization = `GenieKey ${source.apiKey}`;

  async function onCallUsers() {
    const url = new URL(`${base}/v2/schedules/${encodeURIComponent(source.scheduleId)}/on-calls`);
    url.searchParams.set('scheduleIdentifierType', 'id');
    const { data } = await getJson(url, authorization, onCallsSchema, 'Opsgenie GET /v2/schedules/{id}/on-calls');
    return usersIn(data.onCallParticipants);
  }

  async function personOf(user: { id: string; name: string | undefined }): Promise<OnCallPerson> {
    const url = new URL(`${base}/v2/users/${encodeURIComponent(user.id)}`);
    url.searchParams.set('expand', 'contact');
    const { data } = await getJson(url, authorization, userSchema, 'Opsgenie GET /v2/users/{id}');
    const phones = PHONE_METHODS.flatMap((method) =>
      data.userContacts
        .filter((contact) => contact.contactMethod === method && contact.enabled !== false)
        .map((contact) => phoneOf(contact.to))
        .filter((phone): phone is string => phone !== undefined),
    );
    return { id: user.id, name: data.fullName ?? data.username ?? user.name ?? user.id, phones };
  }

  return {
    source: 'opsgenie',
    async read() {
      const users = [...new Map((await onCallUsers()).map((user) => [user.id, user])).values()];
      return rotaOf(await Promise.all(users.map(personOf)));
    },
  };
}
