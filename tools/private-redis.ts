import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A private `redis-server` on a free loopback port, for the test suite and
 * `npm run demo`. It never touches a Redis already running on this machine.
 * With `persistent`, it writes an append-only file so a test can stop and
 * start it again and find its data still there, as a production Redis would.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  /** Kills the server (as a crash or outage would). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open but nothing answers, like a hung server. */
  pause(): void;
  resume(): void;
}

const INSTALL_HINT =
  'redis-server was not found on PATH. Install Redis 7 and try again:\n' +
  '  Debian/Ubuntu: sudo apt-get install redis-server\n' +
  '  macOS:         brew install redis\n' +
  'or point the tests/demo at a Redis of your own with REDIS_URL=redis://host:6379.';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export async function startPrivateRedis(options: { persistent?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'callgate-redis-'));
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', options.persistent === true ? 'yes' : 'no',
    '--appendfsync', 'always',
    '--protected-mode', 'yes',
  ];
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    child = await launch(args);
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGCONT');
    running.kill('SIGKILL');
    await exited;
  }

  await start();
  process.once('exit', () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}

/** Spawns redis-server and waits until it accepts connections. */
async function launch(args: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(error.code === 'ENOENT' ? INSTALL_HINT : `redis-server failed to start: ${error.message}`));
    });
    child.once('exit', (code) => {
      reject(new Error(`redis-server exited (${String(code)}) before it was ready:\n${output}`));
    });
  });
  const ready = (async () => {
    for (let waited = 0; waited < 10_000; waited += 25) {
      if (output.includes('Ready to accept connections')) return child;
      await sleep(25);
    }
    throw new Error(`redis-server did not become ready within 10 s:\n${output}`);
  })();
  return Promise.race([ready, failed]);
}
