import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { closeServer } from './close-server.js';

/**
 * A stand-in for the two reads of Opsgenie's REST API that callgate's rota source makes,
 * answering in the documented shapes (docs.opsgenie.com, and opsgenie/opsgenie-oas
 * definitions/whoIsOnCall.yaml and user.yaml):
 *
 * - GET /v2/schedules/{id}/on-calls (Who is On Call API): `data._parent` and
 *   `data.onCallParticipants`, users, or teams and escalations with their own participants.
 * - GET /v2/users/{id}?expand=contact (User API): the user, with `userContacts` only when
 *   expanded; a phone contact's `to` is "<calling code>-<number>".
 *
 * Both want `Authorization: GenieKey <key>` (401 otherwise); every answer carries `took` and
 * `requestId`, errors a `message`; `fail(status)` makes every request answer that status.
 */
export interface OpsgenieContact {
  contactMethod: 'voice' | 'sms' | 'email' | 'mobile';
  to: string;
  enabled?: boolean;
}

export interface OpsgenieUser {
  id: string;
  fullName: string;
  /** The username is the user's email address. */
  username: string;
  contacts: OpsgenieContact[];
}

export interface OpsgenieParticipant {
  id: string;
  name: string;
  type: 'user' | 'team' | 'escalation';
  escalationTime?: number;
  notifyType?: string;
  onCallParticipants?: OpsgenieParticipant[];
}

export interface OpsgenieApi {
  url: string;
  apiKey: string;
  scheduleId: string;
  users: Map<string, OpsgenieUser>;
  /** The schedule's on-call participants of now, as the API lists them. */
  participants: OpsgenieParticipant[];
  requests: string[];
  fail(status: number | undefined): void;
  close(): Promise<void>;
}

const answer = (res: Response, status: number, body: object): void => {
  res.status(status).json({ ...body, took: 0.021, requestId: randomUUID() });
};

/** A participant of type user, as the on-calls answer names them (by username). */
export const userParticipant = (user: OpsgenieUser): OpsgenieParticipant => ({ id: user.id, name: user.username, type: 'user' });

export async function startOpsgenieApi(options: { apiKey: string; scheduleId: string }): Promise<OpsgenieApi> {
  const users = new Map<string, OpsgenieUser>();
  const participants: OpsgenieParticipant[] = [];
  const requests: string[] = [];
  let failing: number | undefined;

  const app = express();
  app.use((req, res, next) => {
    requests.push(req.url);
    if (failing !== undefined) {
      answer(res, failing, { message: 'Internal Server Error' });
      return;
    }
    if (req.get('Authorization') !== `GenieKey ${options.apiKey}`) {
      answer(res, 401, { message: 'Could not authenticate' });
      return;
    }
    next();
  });

  app.get('/v2/schedules/:identifier/on-calls', (req, res) => {
    const byName = req.query.scheduleIdentifierType === 'name';
    if (byName || req.params.identifier !== options.scheduleId) {
      answer(res, 404, { message: `No schedule exists with identifier [${req.params.identifier}]` });
      return;
    }
    answer(res, 200, {
      data: { _parent: { id: options.scheduleId, name: 'ScheduleName', enabled: true }, onCallParticipants: participants },
    });
  });

  app.get('/v2/users/:identifier', (req, res) => {
    const user = users.get(req.params.identifier);
    if (user === undefined) {
      answer(res, 404, { message: 'No user exists with identifier' });
      return;
    }
    const expanded = new URL(req.url, 'http://opsgenie').searchParams.get('expand')?.split(',').includes('contact') === true;
    answer(res, 200, {
      data: {
        id: user.id,
        username: user.username,
        fullName: user.fullName,
        role: { id: 'User', name: 'User' },
        timeZone: 'Europe/London',
        locale: 'en_GB',
        blocked: false,
        verified: true,
        createdAt: '2017-05-12T08:34:13.914Z',
        ...(expanded ? { userContacts: user.contacts.map((contact) => ({ id: randomUUID(), enabled: true, ...contact })) } : {}),
      },
      ...(expanded ? {} : { expandable: ['contact'] }),
    });
  });

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => {
      resolve(listening);
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    apiKey: options.apiKey,
    scheduleId: options.scheduleId,
    users,
    participants,
    requests,
    fail(status) {
      failing = status;
    },
    close: () => closeServer(server),
  };
}
