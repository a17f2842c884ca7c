import { WARN_SKEW_MS } from '../redis/clock-skew.js';
import { orNone, routingOverrides, SETTINGS, settingChanges, wantedSettings } from './number-settings.js';
import type { IncomingNumber } from './number-settings.js';

// `npm run doctor`'s rows, decided from what was read. fail: would stop a call (exit status 1);
// warn: worth fixing, calls go through; skip: not checked because an earlier check failed.
export interface Finding {
  check: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
}

export const exitStatusOf = (findings: Finding[]): number => (findings.some((finding) => finding.status === 'fail') ? 1 : 0);

const LABEL: Record<Finding['status'], string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: '-' };

/** The findings as an aligned text table: check, status, detail. */
export function renderTable(findings: Finding[]): string[] {
  const rows = [{ check: 'check', status: 'status', detail: 'detail' }, ...findings.map((finding) => ({ ...finding, status: LABEL[finding.status] }))];
  const checkWidth = Math.max(...rows.map((row) => row.check.length));
  const statusWidth = Math.max(...rows.map((row) => row.status.length));
  return rows.map((row) => `${row.check.padEnd(checkWidth)}  ${row.status.padEnd(statusWidth)}  ${row.detail}`.trimEnd());
}

export function redisFindings(server: { version: string; aofEnabled: boolean; appendfsync: string }, skewMs: number): Finding[] {
  const skew = Math.round(skewMs);
  return [
    { check: 'redis', status: 'ok', detail: `reachable, Redis ${server.version}` },
    server.aofEnabled
      ? { check: 'redis persistence', status: 'ok', detail: `AOF on (appendfsync ${server.appendfsync})` }
      : { check: 'redis persistence', status: 'warn', detail: 'AOF off: live PINs and undelivered events are lost when Redis restarts (appendonly yes)' },
    Math.abs(skew) > WARN_SKEW_MS
      ? { check: 'clock skew', status: 'warn', detail: `Redis' clock is ${String(Math.abs(skew))} ms ${skew > 0 ? 'ahead of' : 'behind'} this host's: synchronise clocks (NTP)` }
      : { check: 'clock skew', status: 'ok', detail: `${String(skew)} ms against Redis` },
  ];
}

/** Whether the support number's webhooks point at this deployment, and nothing overrides them. */
export function webhooksFinding(number: IncomingNumber, publicBaseUrl: string): Finding {
  const changes = settingChanges(number, wantedSettings(publicBaseUrl, number));
  const problems = [
    ...changes.map(({ setting, before, after }) => `${SETTINGS[setting]} is ${orNone(before)}, not ${after}`),
    ...routingOverrides(number),
  ];
  if (problems.length === 0) return { check: 'number webhooks', status: 'ok', detail: `point at ${publicBaseUrl}` };
  const fix = changes.length === 0 ? '' : ' (npm run twilio:setup)';
  return { check: 'number webhooks', status: 'fail', detail: `${problems.join('; ')}${fix}` };
}

/** Pages come from PAGE_CALLER_ID: Twilio refuses a From that is neither a number of the account nor a verified caller ID. */
export function callerIdFinding(pageCallerId: string, standing: 'support-number' | 'account-number' | 'verified' | 'unknown'): Finding {
  const detail = {
    'support-number': `${pageCallerId}, the support number`,
    'account-number': `${pageCallerId}, a number of the account`,
    verified: `${pageCallerId}, a verified caller ID of the account`,
    unknown: `${pageCallerId} is neither a number nor a verified caller ID of the account: Twilio would refuse every page`,
  }[standing];
  return { check: 'page caller ID', status: standing === 'unknown' ? 'fail' : 'ok', detail };
}

/** The rota pages in order; the on-call PIN is what a sysadmin types when they phone in themselves. */
export function rotaFindings(rota: readonly { id: string; name: string }[], havePins: boolean[]): Finding[] {
  if (rota.length === 0) {
    return [
      { check: 'rota', status: 'fail', detail: 'empty: nobody would be paged for a caller (PUT /v1/oncall)' },
      { check: 'on-call PINs', status: 'skip', detail: 'nobody on the rota' },
    ];
  }
  const without = rota.filter((_, i) => havePins[i] !== true).map((sysadmin) => `${sysadmin.name} (${sysadmin.id})`);
  return [
    { check: 'rota', status: 'ok', detail: `${String(rota.length)} sysadmin${rota.length === 1 ? '' : 's'}` },
    without.length === 0
      ? { check: 'on-call PINs', status: 'ok', detail: 'every sysadmin on the rota has one' }
      : { check: 'on-call PINs', status: 'warn', detail: `none for ${without.join(', ')}: they cannot phone in to take a caller` },
  ];
}
