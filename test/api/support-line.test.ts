import { afterAll, describe, expect, it } from 'vitest';
import { api, givenAccount, givenUser, pinPath } from '../helpers/givens.js';
import { rememberSecret } from '../helpers/leak-watch.js';
import { buildTestApp } from '../helpers/test-app.js';
import { testClock } from '../helpers/test-clock.js';

// Thursday before Easter 2027, 18:00 in London: the standard line has just closed.
const t = await buildTestApp({ clock: testClock('2027-03-25T18:00:00Z') });
afterAll(() => t.close());

describe('GET /v1/accounts/{id}/support-line', () => {
  it('when a standard account asks after hours before Easter, then closed, reopening after the holidays', async () => {
    const accountId = await givenAccount(t.app, { sla: 'standard' });
    const res = await api(t.app).get(`/v1/accounts/${accountId}/support-line`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      eligible: true,
      openNow: false,
      phoneNumber: '+442071234567',
      hours: {
        timezone: 'Europe/London',
        weekly: { mon: ['09:00-17:30'], tue: ['09:00-17:30'], wed: ['09:00-17:30'], thu: ['09:00-17:30'], fri: ['09:00-17:30'] },
        closedOnPublicHolidays: 'GB-ENG',
      },
      nextChange: '2027-03-30T08:00:00.000Z',
    });
  });

  it('when a managed platform account asks at the same moment, then its line is still open until 20:00', async () => {
    const accountId = await givenAccount(t.app, { sla: 'managed_platform' });
    const res = await api(t.app).get(`/v1/accounts/${accountId}/support-line`);
    expect(res.body).toMatchObject({ eligible: true, openNow: true, nextChange: '2027-03-25T20:00:00.000Z' });
  });

  it('when the plan has no phone support, then not eligible, never open, no next change', async () => {
    const accountId = await givenAccount(t.app, { sla: 'none' });
    const res = await api(t.app).get(`/v1/accounts/${accountId}/support-line`);
    expect(res.body).toEqual({
      eligible: false,
      openNow: false,
      phoneNumber: '+442071234567',
      hours: { timezone: 'Europe/London', weekly: {}, closedOnPublicHolidays: null },
      nextChange: null,
    });
  });

  it('when a PIN is issued, then the response tells the same support line', async () => {
    const accountId = await givenAccount(t.app, { sla: 'standard' });
    const userId = await givenUser(t.app, accountId);
    const res = await api(t.app).post(pinPath(accountId, userId));
    rememberSecret((res.body as { pin: string }).pin);
    const line = await api(t.app).get(`/v1/accounts/${accountId}/support-line`);
    expect(res.body).toMatchObject({ supportLine: line.body as object });
  });
});
