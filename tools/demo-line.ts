import type { PolicyInput } from '../src/policy/policy-schema.js';
import { DEFAULT_POLICY } from '../src/policy/default-policy.js';
import { apiClient, type LocalStack } from './local-stack.js';

/** The demo's account, users and on-call sysadmin, shared by `npm run demo` and `npm run call`. */

const ALL_DAY = ['00:00-24:00'];
const EVERY_DAY = { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY };

/** The demo's line is open around the clock, so the demo works at any hour. */
export const DEMO_POLICY: PolicyInput = {
  ...DEFAULT_POLICY,
  // Two minutes of virtual time: a call nobody answers reaches voicemail quickly.
  queue: { maxWaitSeconds: 120 },
  holidays: undefined,
  tiers: {
    none: { phoneSupport: false },
    standard: { phoneSupport: true, priority: 1, hours: EVERY_DAY, closedOnPublicHolidays: false },
    managed_platform: { phoneSupport: true, priority: 2, hours: EVERY_DAY, closedOnPublicHolidays: false },
  },
};

export const SAM = { id: 'sam', name: 'Sam Sysadmin', phone: '+447700900999' };
export const KIM = { id: 'kim', name: 'Kim Sysadmin', phone: '+447700900998' };
const ALL_PERMISSIONS = ['manage_users', 'manage_billing', 'manage_services', 'manage_support', 'purchase_services'];

export type Api = ReturnType<typeof apiClient>;

/** Calls the API and fails loudly on anything but success. */
export async function expectOk(call: Promise<{ status: number; body: unknown }>): Promise<unknown> {
  const res = await call;
  if (res.status >= 300) throw new Error(`the API answered ${String(res.status)}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Seeds account demo-hosting (Ada, admin contact; Bob) and puts Sam, then Kim, on call; returns the control panel client. */
export async function seedDemoLine(stack: LocalStack, baseUrl: string): Promise<Api> {
  const panel = apiClient(baseUrl, stack.controlPanelKey);
  await expectOk(panel('PUT', '/v1/accounts/demo-hosting', { name: 'Demo Hosting Ltd', sla: 'managed_platform' }));
  await expectOk(
    panel('PUT', '/v1/accounts/demo-hosting/users/ada', { name: 'Ada Lovelace', permissions: ALL_PERMISSIONS, roles: ['admin_contact'] }),
  );
  await expectOk(
    panel('PUT', '/v1/accounts/demo-hosting/users/bob', { name: 'Bob Builder', permissions: ['manage_services', 'manage_support'] }),
  );
  await expectOk(apiClient(baseUrl, stack.opsKey)('PUT', '/v1/oncall', [SAM, KIM]));
  return panel;
}

export async function pinOf(panel: Api, userId: string): Promise<string> {
  return ((await expectOk(panel('POST', `/v1/accounts/demo-hosting/users/${userId}/pin`))) as { pin: string }).pin;
}
