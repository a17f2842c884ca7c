import { describe, expect, it } from 'vitest';
import { exitStatusOf, redisFindings, renderTable } from '../../src/cli/doctor-findings.js';

const server = { version: '7.2.4', aofEnabled: true, appendfsync: 'everysec' };

describe('the doctor findings', () => {
  it('when Redis\' clock is more than 200 ms off, then clock skew WARNs saying which way; within it, it is ok', () => {
    expect(redisFindings(server, 450.4).find((finding) => finding.check === 'clock skew')).toEqual({
      check: 'clock skew',
      status: 'warn',
      detail: "Redis' clock is 450 ms ahead of this host's: synchronise clocks (NTP)",
    });
    expect(redisFindings(server, -250).find((finding) => finding.check === 'clock skew')?.detail).toContain('250 ms behind');
    expect(redisFindings(server, 12).find((finding) => finding.check === 'clock skew')?.status).toBe('ok');
  });

  it('when any row fails, then the exit status is 1; warnings and skipped rows alone leave it 0', () => {
    expect(exitStatusOf([{ check: 'a', status: 'warn', detail: '' }, { check: 'b', status: 'skip', detail: '' }])).toBe(0);
    expect(exitStatusOf([{ check: 'a', status: 'ok', detail: '' }, { check: 'b', status: 'fail', detail: '' }])).toBe(1);
  });

  it('when rendered, then the table has a header and aligned columns', () => {
    expect(renderTable([{ check: 'redis', status: 'fail', detail: 'not reachable' }, { check: 'clock skew', status: 'ok', detail: '3 ms against Redis' }])).toEqual([
      'check       status  detail',
      'redis       FAIL    not reachable',
      'clock skew  ok      3 ms against Redis',
    ]);
  });
});
