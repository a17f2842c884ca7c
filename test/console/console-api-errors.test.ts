import { describe, expect, it } from 'vitest';
import { apiErrorOf } from '../../src/console/page/api-errors.js';

/** How the console page reads the API's error answers (src/console/page/api-errors.ts). */
describe('the console reading API errors', () => {
  it('when an error carries details of another form (a contact rule), then the page still has the API message, not a bare status', () => {
    const error = apiErrorOf(409, {
      error: { code: 'contact_role_cannot_be_removed', message: 'Ada is the admin contact; give the role to someone else first.', details: [{ role: 'admin_contact', holder: 'ada' }] },
    });
    expect(error).toMatchObject({ status: 409, code: 'contact_role_cannot_be_removed', message: 'Ada is the admin contact; give the role to someone else first.', details: [] });
  });

  it('when an error carries zod issues, then each keeps its path (as text) and message, for the field it belongs to', () => {
    const error = apiErrorOf(422, {
      error: { code: 'validation_failed', message: 'The request body is not valid.', details: [{ path: [0, 'phone'], code: 'invalid_format', message: 'expected an E.164 number' }] },
    });
    expect(error.details).toEqual([{ path: ['0', 'phone'], message: 'expected an E.164 number' }]);
  });

  it('when the answer is not the API error shape (a proxy page), then the status is said', () => {
    expect(apiErrorOf(502, '<html>Bad gateway</html>')).toMatchObject({ status: 502, code: 'unexpected', message: 'callgate answered 502.' });
  });
});
