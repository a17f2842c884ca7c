import { z } from 'zod';
import type { RotaSourceConfig } from '../../config.js';
import { e164Of, getJson, rotaOf, type RotaReader } from './rota-source.js';

/**
 * Who is on call now for one escalation policy (or schedule), by escalation level, with the phones
 * of their contact methods, from PagerDuty's REST API v2: GET /oncalls (without since/until: now;
 * paged by limit/offset/more) and GET /users/{id}/contact_methods (a number is `country_code` plus
 * `address`). https://developer.pagerduty.com/api-reference/3a6b910f11050-list-all-of-the-on-calls
 */
const ACCEPT = 'application/vnd.pagerduty+json;version=2';
const PAGE_SIZE = 100;
// A rota is 50 at most; ten pages of on-calls is far past any escalation policy.
const MAX_PAGES = 10;

const oncallsPageSchema = z.object({
  oncalls: z.array(
    z.object({
      escalation_level: z.number().int(),
      // With include[]=users the user is the full user (name); otherwise a reference (summary).
      user: z.object({ id: z.string(), name: z.string().optional(), summary: z.string().optional() }),
    }),
  ),
  more: z.boolean().optional(),
});

const contactMethodsSchema = z.object({
  contact_methods: z.array(
    z.object({
      type: z.string(),
      address: z.string(),
      country_code: z.number().int().optional(),
      blacklisted: z.boolean().optional(),
    }),
  ),
});

// A voice number first: the page is a call. An SMS number is most often the same mobile.
const PHONE_TYPES = ['phone_contact_method', 'sms_contact_method'];

export function createPagerDutyReader(source: Extract<RotaSourceConfig, { kind: 'pagerduty' }>): RotaReader {
  const base = source.apiUrl.replace(/\/+$/, '');
  const authorization = `Token token=${source.token}`;

  async function oncalls() {
    const found: z.output<typeof oncallsPageSchema>['oncalls'] = [];
    // The next page starts after what this one held: PagerDuty may answer fewer than asked (its cap).
    let offset = 0;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const url = new URL(`${base}/oncalls`);
      if ('escalationPolicyId' in source.target) url.searchParams.append('escalation_policy_ids[]', source.target.escalationPolicyId);
      else url.searchParams.append('schedule_ids[]', source.target.scheduleId);
      url.searchParams.append('include[]', 'users');
      url.searchParams.set('limit', String(PAGE_SIZE));
      url.searchParams.set('offset', String(offset));
      const answer = await getJson(url, authorization, oncallsPageSchema, 'PagerDuty GET /oncalls', ACCEPT);
      found.push(...answer.oncalls);
      offset += answer.oncalls.length;
      if (answer.more !== true || answer.oncalls.length === 0) break;
    }
    return found;
  }

  async function phonesOf(userId: string): Promise<string[]> {
    const url = new URL(`${base}/users/${encodeURIComponent(userId)}/contact_methods`);
    const { contact_methods: methods } = await getJson(url, authorization, contactMethodsSchema, 'PagerDuty GET /users/{id}/contact_methods', ACCEPT);
    return PHONE_TYPES.flatMap((type) =>
      methods
        .filter((method) => method.type === type && method.blacklisted !== true && method.country_code !== undefined)
        .map((method) => e164Of(method.address, String(method.country_code)))
        .filter((phone): phone is string => phone !== undefined),
    );
  }

  return {
    source: 'pagerduty',
    async read() {
      // Sorting is stable: within a level, PagerDuty's own order stays.
      const ordered = (await oncalls()).sort((a, b) => a.escalation_level - b.escalation_level);
      const users = [...new Map(ordered.map(({ user }) => [user.id, user])).values()];
      const people = users.map(async ({ id, name, summary }) => {
        return { id, name: name ?? summary ?? id, phones: await phonesOf(id) };
      });
      return rotaOf(await Promise.all(people));
    },
  };
}
