import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblems, testEnv } from '../helpers/test-app.js';


describe('configuration from the environment', () => {
  it('when everything is valid, then defaults fill the rest', () => {
    const config = loadConfig(testEnv());
    expect(config).toMatchObject({
      port: 3000,
      publicBaseUrl: 'https://callgate.example.com',
      redis: { kind: 'standalone' },
      twilio: { apiUrl: 'https://api.twilio.com' },
      logLevel: 'info',
      trustProxy: undefined,
    });
    expect(config.apiKeys.controlPanel).toHaveLength(2);
  });

  it.each([
    ['PUBLIC_BASE_URL', undefined, 'PUBLIC_BASE_URL: is required'],
    ['PUBLIC_BASE_URL', 'http://callgate.example.com', 'PUBLIC_BASE_URL: must be https'],
    ['PIN_SECRET', 'too-short', 'PIN_SECRET: must be at least 32 bytes'],
    ['PIN_SECRET', undefined, 'PIN_SECRET: is required'],
    ['TWILIO_ACCOUNT_SID', 'AC123', 'TWILIO_ACCOUNT_SID: expected AC followed by 32 hex digits'],
    ['SUPPORT_PHONE_NUMBER', '020 7123 4567', 'SUPPORT_PHONE_NUMBER: expected an E.164 number'],
    ['CONTROL_PANEL_API_KEYS', 'short', 'CONTROL_PANEL_API_KEYS: each key must be at least 16 characters'],
    ['OPS_API_KEYS', undefined, 'OPS_API_KEYS: is required'],
    ['PORT', 'eighty', 'PORT:'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL:'],
    ['TRUST_PROXY', 'true', 'TRUST_PROXY:'],
    ['CONTROL_PANEL_ALLOWED_CIDRS', '10.0.0.0/33', 'CONTROL_PANEL_ALLOWED_CIDRS:'],
    ['REDIS_URL', 'http://localhost:6379', 'REDIS_URL:'],
    ['REDIS_URL', undefined, 'REDIS_URL: set exactly one of'],
  ])('when %s is %s, then the error names it', (variable, value, expected) => {
    const problems = configProblems({ [variable]: value });
    expect(problems.some((problem) => problem.startsWith(expected)), problems.join('\n')).toBe(true);
  });

  it('when several variables are bad, then every one is named at once, Redis included', () => {
    const problems = configProblems({ PIN_SECRET: 'x', SUPPORT_PHONE_NUMBER: 'x', PUBLIC_BASE_URL: undefined, REDIS_URL: undefined });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'PIN_SECRET',
      'PUBLIC_BASE_URL',
      'REDIS_URL',
      'SUPPORT_PHONE_NUMBER',
    ]);
  });

  it('when the same key is given to the control panel and to operators, then it is refused', () => {
    expect(configProblems({ OPS_API_KEYS: 'cp-test-key-0123456789abcdef' })[0]).toMatch(/^OPS_API_KEYS: .*must differ/);
  });

  it('when Sentinel or Cluster is configured instead of REDIS_URL, then that mode is chosen', () => {
    expect(
      loadConfig(testEnv({ REDIS_URL: undefined, REDIS_SENTINELS: 's1:26379, s2:26379', REDIS_SENTINEL_NAME: 'main' })).redis,
    ).toEqual({ kind: 'sentinel', name: 'main', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }] });
    expect(loadConfig(testEnv({ REDIS_URL: undefined, REDIS_CLUSTER_NODES: 'n1:7000,n2:7001' })).redis).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }],
    });
    expect(configProblems({ REDIS_URL: undefined, REDIS_SENTINELS: 's1:26379' })).toContain(
      'REDIS_SENTINEL_NAME: required with REDIS_SENTINELS',
    );
  });

  it('when TRUST_PROXY is a hop count or a CIDR list, then express gets exactly that', () => {
    expect(loadConfig(testEnv({ TRUST_PROXY: '2' })).trustProxy).toBe(2);
    expect(loadConfig(testEnv({ TRUST_PROXY: 'loopback, 10.0.0.0/8' })).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
  });

  it('when PUBLIC_BASE_URL is plain http on localhost (the simulator), then it is accepted without a trailing slash', () => {
    expect(loadConfig(testEnv({ PUBLIC_BASE_URL: 'http://127.0.0.1:3000/' })).publicBaseUrl).toBe('http://127.0.0.1:3000');
  });

  it.each([
    ['https://callgate.example.com/?region=eu', 'must not have a query string or fragment'],
    ['https://callgate.example.com?', 'must not have a query string or fragment'],
    ['https://callgate.example.com/#top', 'must not have a query string or fragment'],
    ['https://ops:secret@callgate.example.com', 'must not contain a user name or password'],
    ['https://callgate.example.com/callgate', 'must not have a path'],
    ['https://callgate.example.com/callgate/', 'must not have a path'],
  ])('when PUBLIC_BASE_URL is %s, then the start is refused naming the variable', (value, expected) => {
    const problems = configProblems({ PUBLIC_BASE_URL: value });
    expect(problems.some((problem) => problem.startsWith(`PUBLIC_BASE_URL: ${expected}`)), problems.join('\n')).toBe(true);
  });

  it('when PUBLIC_BASE_URL is a bare origin with a port, then it is accepted as it is', () => {
    expect(loadConfig(testEnv({ PUBLIC_BASE_URL: 'https://callgate.example.com:8443' })).publicBaseUrl).toBe(
      'https://callgate.example.com:8443',
    );
  });
});
