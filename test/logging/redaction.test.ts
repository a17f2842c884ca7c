import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { api, givenAccount, givenPin, givenUser, pinPath } from '../helpers/givens.js';
import { leakedSecrets, logLines, rememberSecret } from '../helpers/leak-watch.js';
import { buildTestApp, CONTROL_PANEL_KEY } from '../helpers/test-app.js';

const t = await buildTestApp();
afterAll(() => t.close());

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination }), text: () => lines.join('') };
}

describe('secrets in logs', () => {
  it('when a log object carries a PIN, Digits, a token or an auth header, then each is redacted', () => {
    const { log, text } = capture();
    log.info(
      {
        pin: '12345678',
        call: { Digits: '87654321', pin: '11112222' },
        Digits: '33334444',
        req: { headers: { authorization: 'Bearer secret-key-value-123' } },
        twilio: { authToken: 'auth-token-value-456' },
      },
      'event',
    );
    for (const secret of ['12345678', '87654321', '11112222', '33334444', 'secret-key-value-123', 'auth-token-value-456']) {
      expect(text()).not.toContain(secret);
    }
    expect(text()).toContain('[redacted]');
  });

  it('when requests with keys and PINs run through the app, then the request log lines carry neither', async () => {
    const accountId = await givenAccount(t.app);
    const userId = await givenUser(t.app, accountId);
    const pin = await givenPin(t.app, accountId, userId);
    await api(t.app).get(pinPath(accountId, userId));
    await request(t.app).get('/v1/accounts/x/support-line').set('Authorization', 'Bearer wrong-key-0123456789');
    rememberSecret('wrong-key-0123456789');

    expect(logLines.some((line) => line.includes(pinPath(accountId, userId)))).toBe(true);
    expect(logLines.filter((line) => line.includes(pin) || line.includes(CONTROL_PANEL_KEY))).toEqual([]);
    expect(leakedSecrets()).toEqual([]);
  });

  it('when a remembered secret does reach a log line, then the leak check reports it, masked', () => {
    const { log } = capture();
    log.info('nothing here');
    rememberSecret('99990000-leak-check');
    logLines.push('{"msg":"oops 99990000-leak-check"}');
    expect(leakedSecrets()).toEqual(['{"msg":"oops <SECRET>"}']);
    logLines.pop();
  });
});
