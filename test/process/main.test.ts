import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { freePort, startPrivateRedis } from '../../tools/private-redis.js';
import { CONTROL_PANEL_KEY, testEnv } from '../helpers/test-app.js';

/** Runs `src/main.ts` as its own process, as `npm start` would run the build. */
function startMain(env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function untilHealthy(port: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('callgate did not become ready');
}

describe('the callgate process', () => {
  it('when a variable is missing or bad, then it stops at once with a message naming each one', async () => {
    const main = startMain(testEnv({ PIN_SECRET: 'short', SUPPORT_PHONE_NUMBER: undefined }));
    const [code] = await main.exited;
    expect(code).toBe(1);
    const { stderr } = main.output();
    expect(stderr).toContain('PIN_SECRET: must be at least 32 bytes');
    expect(stderr).toContain('SUPPORT_PHONE_NUMBER: is required');
    expect(stderr).not.toContain('short');
  });

  it('when the policy file is bad, then it stops naming the field', async () => {
    const main = startMain(testEnv({ POLICY_FILE: '/nonexistent.json' }));
    const [code] = await main.exited;
    expect(code).toBe(1);
    expect(main.output().stderr).toContain('Invalid policy (/nonexistent.json)');
  });

  it('when it receives SIGTERM, then it finishes, closes Redis and exits 0', async () => {
    const port = await freePort();
    const main = startMain(testEnv({ PORT: String(port) }));
    await untilHealthy(port);
    main.child.kill('SIGTERM');
    const [code] = await main.exited;
    expect(code).toBe(0);
    expect(main.output().stdout).toContain('"msg":"stopped"');
  });

  it('when SIGTERM arrives while a request is in flight, then that request is answered before the process exits 0', async () => {
    const redis = await startPrivateRedis();
    const port = await freePort();
    const main = startMain(testEnv({ PORT: String(port), REDIS_URL: redis.url }));
    try {
      await untilHealthy(port);
      // A hung Redis keeps the request in flight for the command timeout.
      redis.pause();
      const inFlight = fetch(`http://127.0.0.1:${String(port)}/v1/accounts/a1/support-line`, {
        headers: { Authorization: `Bearer ${CONTROL_PANEL_KEY}` },
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      main.child.kill('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(503);
      const [code] = await main.exited;
      expect(code).toBe(0);
    } finally {
      redis.resume();
      await redis.stop();
    }
  });
});
