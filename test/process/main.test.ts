import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { freePort, startPrivateRedis } from '../../tools/private-redis.js';
import { CONTROL_PANEL_KEY, testEnv } from '../helpers/test-app.js';
import { startTsx } from '../helpers/tsx-process.js';

/** Runs `src/main.ts` as its own process, as `npm start` would run the build. */
const startMain = (env: Record<string, string | undefined>) => startTsx('src/main.ts', [], env);

/** Waits until the internal listener (where /readyz lives) says the process is ready. */
async function untilHealthy(internalPort: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const ok = await fetch(`http://127.0.0.1:${internalPort}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('callgate did not become ready');
}

/** This machine's IPv4 addresses other than loopback. */
function outsideAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal)
    .map((address) => address.address);
}

/** Whether a TCP connection to address:port is accepted. */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
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

  it('when it starts, then /readyz and /metrics are served on the internal port, on loopback only, and the public port answers them 404', async () => {
    const [port, internalPort] = [await freePort(), await freePort()];
    const main = startMain(testEnv({ PORT: String(port), INTERNAL_PORT: String(internalPort) }));
    try {
      await untilHealthy(internalPort);
      expect((await fetch(`http://127.0.0.1:${internalPort}/metrics`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(main.output().stdout).toContain(`"internal":{"address":"127.0.0.1","family":"IPv4","port":${String(internalPort)}}`);
      // From another interface of this machine (as from the network), the internal port is closed.
      for (const address of outsideAddresses()) expect(await accepts(address, internalPort), address).toBe(false);
    } finally {
      main.child.kill('SIGTERM');
      await main.exited;
    }
  });

  it('when it receives SIGTERM, then it finishes, closes Redis and exits 0', async () => {
    const [port, internalPort] = [await freePort(), await freePort()];
    const main = startMain(testEnv({ PORT: String(port), INTERNAL_PORT: String(internalPort) }));
    await untilHealthy(internalPort);
    main.child.kill('SIGTERM');
    const [code] = await main.exited;
    expect(code).toBe(0);
    expect(main.output().stdout).toContain('"msg":"stopped"');
  });

  it('when SIGTERM arrives while a request is in flight, then that request is answered before the process exits 0', async () => {
    const redis = await startPrivateRedis();
    const [port, internalPort] = [await freePort(), await freePort()];
    const main = startMain(testEnv({ PORT: String(port), INTERNAL_PORT: String(internalPort), REDIS_URL: redis.url }));
    try {
      await untilHealthy(internalPort);
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
