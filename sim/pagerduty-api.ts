import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { closeServer } from './close-server.js';

/**
 * A stand-in for the two reads of PagerDuty's REST API v2 that callgate's rota source makes,
 * answering in the shapes of the API reference's examples (PagerDuty/api-schema
 * reference/REST/openapiv3.json):
 *
 * - GET /oncalls ("List all of the on-calls"): filtered by escalation_policy_ids[] or
 *   schedule_ids[], users as references or, with include[]=users, as full users; paged by
 *   limit/offset/more (at most `pageSize` a page, 100 as PagerDuty).
 * - GET /users/{id}/contact_methods ("List a user's contact methods").
 *
 * Both want `Authorization: Token token=<token>` (401 otherwise), errors are
 * `{ error: { message, code } }`, and `fail(status)` makes every request answer that status.
 */
export interface PagerDutyContactMethod {
  type: 'phone_contact_method' | 'sms_contact_method' | 'email_contact_method' | 'push_notification_contact_method';
  /** The number without its country code, or an email address. */
  address: string;
  country_code?: number;
  label?: string;
  blacklisted?: boolean;
}

export interface PagerDutyUser {
  id: string;
  name: string;
  contactMethods: PagerDutyContactMethod[];
}

export interface PagerDutyOnCall {
  userId: string;
  escalationLevel: number;
  /** The schedule the on-call comes from; null for a user targeted directly by the policy. */
  scheduleId: string | null;
}

export interface PagerDutyApi {
  url: string;
  token: string;
  escalationPolicyId: string;
  users: Map<string, PagerDutyUser>;
  /** The on-calls of now, in the order the API lists them. */
  oncalls: PagerDutyOnCall[];
  /** Each request's path and query, in order. */
  requests: string[];
  pageSize: number;
  /** Every request answers `status` until fail(undefined). */
  fail(status: number | undefined): void;
  close(): Promise<void>;
}

const SITE = 'https://api.pagerduty.com';
const WEB = 'https://subdomain.pagerduty.com';

function reference(type: 'user' | 'schedule' | 'escalation_policy', id: string, summary: string) {
  const plural = type === 'escalation_policy' ? 'escalation_policies' : `${type}s`;
  return { id, type: `${type}_reference`, summary, self: `${SITE}/${plural}/${id}`, html_url: `${WEB}/${plural}/${id}` };
}

function fullUser(user: PagerDutyUser) {
  return {
    ...reference('user', user.id, user.name),
    type: 'user',
    name: user.name,
    email: `${user.id.toLowerCase()}@example.com`,
    time_zone: 'Europe/London',
    role: 'user',
    contact_methods: user.contactMethods.map((method, i) => ({ id: `${user.id}C${String(i)}`, type: `${method.type}_reference`, summary: method.label ?? 'Mobile' })),
  };
}

const sendError = (res: Response, status: number, message: string, code?: number): void => {
  res.status(status).json({ error: { message, ...(code === undefined ? {} : { code }) } });
};

export async function startPagerDutyApi(options: { token: string; escalationPolicyId: string }): Promise<PagerDutyApi> {
  const users = new Map<string, PagerDutyUser>();
  const oncalls: PagerDutyOnCall[] = [];
  const requests: string[] = [];
  let failing: number | undefined;
  const api = { pageSize: 100 };

  const app = express();
  app.use((req, res, next) => {
    requests.push(req.url);
    if (failing !== undefined) {
      sendError(res, failing, 'Internal Server Error');
      return;
    }
    if (req.get('Authorization') !== `Token token=${options.token}`) {
      sendError(res, 401, 'Unauthorized');
      return;
    }
    next();
  });

  app.get('/oncalls', (req, res) => {
    const query = new URL(req.url, SITE).searchParams;
    const policies = query.getAll('escalation_policy_ids[]');
    const schedules = query.getAll('schedule_ids[]');
    const withUsers = query.getAll('include[]').includes('users');
    const limit = Math.min(Number(query.get('limit') ?? 25), api.pageSize);
    const offset = Number(query.get('offset') ?? 0);
    const matching = oncalls.filter(
      (oncall) =>
        (policies.length === 0 || policies.includes(options.escalationPolicyId)) &&
        (schedules.length === 0 || (oncall.scheduleId !== null && schedules.includes(oncall.scheduleId))),
    );
    const page = matching.slice(offset, offset + limit).map((oncall) => {
      const user = users.get(oncall.userId) ?? { id: oncall.userId, name: oncall.userId, contactMethods: [] };
      return {
        user: withUsers ? fullUser(user) : reference('user', user.id, user.name),
        schedule: oncall.scheduleId === null ? null : reference('schedule', oncall.scheduleId, 'Daily Engineering Rotation'),
        escalation_policy: reference('escalation_policy', options.escalationPolicyId, 'Engineering Escalation Policy'),
        escalation_level: oncall.escalationLevel,
        start: '2015-03-06T15:28:51-05:00',
        end: '2015-03-07T15:28:51-05:00',
      };
    });
    res.json({ oncalls: page, limit, offset, more: offset + limit < matching.length, total: null });
  });

  app.get('/users/:id/contact_methods', (req, res) => {
    const user = users.get(req.params.id);
    if (user === undefined) {
      sendError(res, 404, 'Not Found', 2100);
      return;
    }
    res.json({
      contact_methods: user.contactMethods.map((method, i) => ({
        id: `${user.id}C${String(i)}`,
        summary: method.label ?? 'Mobile',
        self: `${SITE}/users/${user.id}/contact_method/${user.id}C${String(i)}`,
        label: method.label ?? 'Mobile',
        ...method,
      })),
    });
  });

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => {
      resolve(listening);
    });
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign(api, {
    url: `http://127.0.0.1:${String(port)}`,
    token: options.token,
    escalationPolicyId: options.escalationPolicyId,
    users,
    oncalls,
    requests,
    fail(status: number | undefined) {
      failing = status;
    },
    close: () => closeServer(server),
  });
}
