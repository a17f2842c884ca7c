import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { CONTROL_PANEL_KEY, configProblems, OPS_KEY, testEnv } from '../helpers/test-app.js';

const env = testEnv();
const PIN_SECRET = env.PIN_SECRET ?? '';
const AUTH_TOKEN = env.TWILIO_AUTH_TOKEN ?? '';
const EVENTS = { EVENTS_URL: 'https://panel.example.com/events' };

/** The problems, checked never to print a secret's value (a start log is read by many). */
function problemsWith(overrides: Record<string, string | undefined>, secret: string): string[] {
  const problems = configProblems(overrides);
  expect(problems.join('\n')).not.toContain(secret);
  return problems;
}

describe('every secret serves one purpose', () => {
  it.each([
    ['OPS_API_KEYS equal to PIN_SECRET (every operator would hold the PIN key)', { OPS_API_KEYS: PIN_SECRET }, PIN_SECRET, 'OPS_API_KEYS: must differ from PIN_SECRET'],
    ['OPS_API_KEYS equal to TWILIO_AUTH_TOKEN', { OPS_API_KEYS: AUTH_TOKEN }, AUTH_TOKEN, 'OPS_API_KEYS: must differ from TWILIO_AUTH_TOKEN'],
    ['a second operator key equal to PIN_SECRET', { OPS_API_KEYS: `${OPS_KEY},${PIN_SECRET}` }, PIN_SECRET, 'OPS_API_KEYS: must differ from PIN_SECRET'],
    ['EVENTS_SECRET equal to PIN_SECRET (the control panel would hold the PIN key)', { ...EVENTS, EVENTS_SECRET: PIN_SECRET }, PIN_SECRET, 'EVENTS_SECRET: must differ from PIN_SECRET'],
    ['EVENTS_SECRET equal to TWILIO_AUTH_TOKEN', { ...EVENTS, EVENTS_SECRET: 't'.repeat(40), TWILIO_AUTH_TOKEN: 't'.repeat(40) }, 't'.repeat(40), 'EVENTS_SECRET: must differ from TWILIO_AUTH_TOKEN'],
    ['PIN_SECRET equal to TWILIO_AUTH_TOKEN', { TWILIO_AUTH_TOKEN: PIN_SECRET }, PIN_SECRET, 'PIN_SECRET: must differ from TWILIO_AUTH_TOKEN'],
    ['a control panel key equal to EVENTS_SECRET', { ...EVENTS, EVENTS_SECRET: 'e'.repeat(40), CONTROL_PANEL_API_KEYS: 'e'.repeat(40) }, 'e'.repeat(40), 'CONTROL_PANEL_API_KEYS: must differ from EVENTS_SECRET'],
    ['a control panel key equal to TWILIO_AUTH_TOKEN', { CONTROL_PANEL_API_KEYS: `${CONTROL_PANEL_KEY},${AUTH_TOKEN}` }, AUTH_TOKEN, 'CONTROL_PANEL_API_KEYS: must differ from TWILIO_AUTH_TOKEN'],
    ['an operator key equal to a control panel key', { OPS_API_KEYS: CONTROL_PANEL_KEY }, CONTROL_PANEL_KEY, 'OPS_API_KEYS: must differ from CONTROL_PANEL_API_KEYS'],
    ["Redis's password equal to PIN_SECRET", { REDIS_URL: `redis://:${PIN_SECRET}@127.0.0.1:6379` }, PIN_SECRET, 'REDIS_URL: must differ from PIN_SECRET'],
    ["Redis's password, given as ?password=, equal to PIN_SECRET", { REDIS_URL: `redis://127.0.0.1:6379?password=${PIN_SECRET}` }, PIN_SECRET, 'REDIS_URL: must differ from PIN_SECRET'],
  ])('when %s, then the start is refused naming both variables, not the value', (_case, overrides, secret, expected) => {
    expect(problemsWith(overrides, secret)).toContain(`${expected}: each secret serves one purpose`);
  });

  it("when Redis' password is not valid percent-encoding, then the start is refused saying so, not with a bare URIError", () => {
    const secret = 'pass%word-not-encoded-0123456789';
    expect(problemsWith({ REDIS_URL: `redis://:${secret}@127.0.0.1:6379` }, secret)).toContain(
      'REDIS_URL: its password is not valid percent-encoding (write a % as %25)',
    );
  });

  it('when REDIS_URL is not a URL (a bad port), then the start is refused naming it, not printing its password', () => {
    const secret = 'SuperSecretPw123-0123456789';
    const problems = problemsWith({ REDIS_URL: `redis://:${secret}@localhost:99999999` }, secret);
    expect(problems.some((problem) => problem.startsWith('REDIS_URL: '))).toBe(true);
  });

  it('when PUBLIC_BASE_URL is not a URL, then the start is refused naming it instead of crashing', () => {
    const problems = configProblems({ PUBLIC_BASE_URL: 'not a url' });
    expect(problems.some((problem) => problem.startsWith('PUBLIC_BASE_URL: '))).toBe(true);
  });

  it('when three variables hold one secret, then each pair is named', () => {
    const problems = problemsWith({ ...EVENTS, EVENTS_SECRET: PIN_SECRET, OPS_API_KEYS: PIN_SECRET }, PIN_SECRET);
    expect(problems.filter((problem) => problem.includes('must differ'))).toEqual([
      'EVENTS_SECRET: must differ from PIN_SECRET: each secret serves one purpose',
      'OPS_API_KEYS: must differ from PIN_SECRET: each secret serves one purpose',
      'OPS_API_KEYS: must differ from EVENTS_SECRET: each secret serves one purpose',
    ]);
  });

  it('when every secret differs (an events secret of its own, a key listed twice), then the start goes ahead', () => {
    expect(configProblems({ ...EVENTS, EVENTS_SECRET: 's'.repeat(40), OPS_API_KEYS: `${OPS_KEY},${OPS_KEY}` })).toEqual([]);
  });
});

describe('the auth token and events travel encrypted', () => {
  it.each([
    ['TWILIO_API_URL', 'http://api.twilio.com'],
    ['TWILIO_API_URL', 'http://twilio-standin.internal:8080'],
    ['TWILIO_API_URL', 'http://128.0.0.1:8080'],
    ['EVENTS_URL', 'http://10.0.0.5/events'],
  ])('when %s is plain http to %s, then the start is refused', (variable, value) => {
    const problems = configProblems({ ...EVENTS, EVENTS_SECRET: 's'.repeat(40), [variable]: value });
    expect(problems).toContain(`${variable}: must be https (plain http is allowed only for localhost)`);
  });

  it.each([
    ['TWILIO_API_URL', 'http://127.0.0.1:4010'],
    ['TWILIO_API_URL', 'http://127.8.9.10:4010'],
    ['TWILIO_API_URL', 'http://localhost:4010'],
    ['TWILIO_API_URL', 'http://[::1]:4010'],
    ['TWILIO_API_URL', 'https://api.twilio.com'],
    ['EVENTS_URL', 'http://127.0.0.2:8080/events'],
    ['EVENTS_URL', 'http://[::1]:8080/events'],
  ])('when %s is %s (https, or http on loopback), then it is accepted', (variable, value) => {
    expect(configProblems({ ...EVENTS, EVENTS_SECRET: 's'.repeat(40), [variable]: value })).toEqual([]);
  });
});

describe('the internal listener (/metrics, /readyz)', () => {
  it('when nothing is set, then it listens on loopback, port 3001', () => {
    expect(loadConfig(testEnv()).internal).toEqual({ host: '127.0.0.1', port: 3001 });
  });

  it('when INTERNAL_HOST and INTERNAL_PORT are set (a pod probe), then those are used', () => {
    expect(loadConfig(testEnv({ INTERNAL_HOST: '0.0.0.0', INTERNAL_PORT: '9464' })).internal).toEqual({ host: '0.0.0.0', port: 9464 });
  });

  it.each([
    [{ INTERNAL_PORT: '3000', PORT: '3000' }, 'INTERNAL_PORT: must differ from PORT'],
    [{ INTERNAL_HOST: 'metrics.example.com' }, 'INTERNAL_HOST: expected an IP address or localhost'],
    [{ INTERNAL_PORT: 'ninety' }, 'INTERNAL_PORT:'],
  ])('when %o, then the start is refused naming the variable', (overrides, expected) => {
    expect(configProblems(overrides).some((problem) => problem.startsWith(expected))).toBe(true);
  });
});
