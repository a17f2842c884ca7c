import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { rememberSecret } from '../helpers/leak-watch.js';
import { configProblems, testEnv } from '../helpers/test-app.js';

const SECRET = 'events-secret-that-is-at-least-32-bytes';
rememberSecret(SECRET);


describe('the events configuration', () => {
  it('when EVENTS_URL is unset, then events are not delivered and nothing else is required', () => {
    expect(loadConfig(testEnv()).events).toBeUndefined();
  });

  it('when EVENTS_URL and EVENTS_SECRET are set, then events go there signed with that secret', () => {
    const config = loadConfig(testEnv({ EVENTS_URL: 'https://panel.example.com/callgate/events', EVENTS_SECRET: SECRET }));
    expect(config.events).toEqual({ url: 'https://panel.example.com/callgate/events', secret: SECRET });
  });

  it('when EVENTS_URL is plain http to localhost, then it is accepted (a local receiver)', () => {
    expect(loadConfig(testEnv({ EVENTS_URL: 'http://127.0.0.1:8080/events', EVENTS_SECRET: SECRET })).events?.url).toBe(
      'http://127.0.0.1:8080/events',
    );
  });

  it.each([
    [{ EVENTS_URL: 'http://panel.example.com/events', EVENTS_SECRET: SECRET }, 'EVENTS_URL: must be https (plain http is allowed only for localhost)'],
    [{ EVENTS_URL: 'ftp://panel.example.com/events', EVENTS_SECRET: SECRET }, 'EVENTS_URL: Invalid URL'],
    [{ EVENTS_URL: 'https://panel.example.com/events' }, 'EVENTS_SECRET: is required when EVENTS_URL is set'],
    [{ EVENTS_URL: 'https://panel.example.com/events', EVENTS_SECRET: 'short' }, 'EVENTS_SECRET: must be at least 32 bytes'],
  ])('when %o, then the start stops naming the variable', (overrides, problem) => {
    const problems = configProblems(overrides);
    expect(problems.some((p) => p.startsWith(problem.split(':')[0] ?? '') && p.includes(problem.split(': ')[1] ?? ''))).toBe(true);
    expect(problems.join('\n')).not.toContain('short');
  });

  it('when EVENTS_SECRET is missing and another variable is bad too, then both are reported', () => {
    const problems = configProblems({ EVENTS_URL: 'https://panel.example.com/events', PIN_SECRET: 'x' });
    expect(problems).toContain('EVENTS_SECRET: is required when EVENTS_URL is set');
    expect(problems).toContain('PIN_SECRET: must be at least 32 bytes');
  });
});
