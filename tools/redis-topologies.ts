import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './private-redis.js';

/**
 * Local Redis Cluster and Sentinel set-ups built from `redis-server`
 * processes, for the scale tests: the same binaries production runs, on
 * loopback ports, gone when the test ends.
 */

interface Process {
  port: number;
  child: ChildProcess;
  busPort?: number;
}

async function launch(args: string[], port: number): Promise<Process> {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  client.on('error', () => undefined);
  for (let i = 0; i < 200; i += 1) {
    if (await client.ping().then(() => true, () => false)) break;
    await sleep(25);
  }
  client.disconnect();
  return { port, child };
}

const kill = (process: Process): void => {
  process.child.kill('SIGKILL');
};

export interface LocalCluster {
  /** `host:port,...` for REDIS_CLUSTER_NODES. */
  nodes: string;
  ports: number[];
  stop(): void;
}

/** Three masters, 16384 slots split between them, no replicas. */
export async function startLocalCluster(): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'callgate-cluster-'));
  const processes: Process[] = [];
  for (let i = 0; i < 3; i += 1) {
    const port = await freePort();
    const busPort = await freePort();
    processes.push({
      busPort,
      ...(await launch(
        ['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${String(port)}.conf`), '--dir', dir, '--save', '', '--appendonly', 'no'],
        port,
      )),
    });
  }
  const clients = processes.map((p) => new Redis({ port: p.port, host: '127.0.0.1' }));
  const perNode = Math.ceil(16384 / clients.length);
  await Promise.all(
    clients.map((client, i) => client.call('CLUSTER', 'ADDSLOTSRANGE', String(i * perNode), String(Math.min(16383, (i + 1) * perNode - 1)))),
  );
  const [first] = clients;
  if (first === undefined) throw new Error('no cluster node');
  // The bus ports are not port + 10000 here, so MEET names them.
  for (const other of processes.slice(1)) {
    await first.call('CLUSTER', 'MEET', '127.0.0.1', String(other.port), String(other.busPort));
  }
  for (let i = 0; i < 400; i += 1) {
    const states = await Promise.all(clients.map((client) => client.call('CLUSTER', 'INFO') as Promise<string>));
    if (states.every((info) => info.includes('cluster_state:ok') && info.includes('cluster_known_nodes:3'))) break;
    await sleep(50);
  }
  clients.forEach((client) => {
    client.disconnect();
  });
  return {
    nodes: processes.map((p) => `127.0.0.1:${String(p.port)}`).join(','),
    ports: processes.map((p) => p.port),
    stop: () => {
      processes.forEach(kill);
    },
  };
}

export interface LocalSentinel {
  /** `host:port` for REDIS_SENTINELS. */
  sentinels: string;
  name: string;
  masterPort: number;
  replicaPort: number;
  /** Kills the master outright, as a crash would. */
  killMaster(): void;
  stop(): void;
}

/** A master, one replica, and one Sentinel watching them (quorum 1, quick failover). */
export async function startLocalSentinel(): Promise<LocalSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'callgate-sentinel-'));
  const [masterPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
  const common = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const master = await launch(['--port', String(masterPort), ...common], masterPort);
  const replica = await launch(['--port', String(replicaPort), ...common, '--replicaof', '127.0.0.1', String(masterPort)], replicaPort);
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${String(sentinelPort)}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor callgate 127.0.0.1 ${String(masterPort)} 1`,
      'sentinel down-after-milliseconds callgate 1000',
      'sentinel failover-timeout callgate 5000',
      '',
    ].join('\n'),
  );
  const sentinel = await launch([config, '--sentinel'], sentinelPort);
  // The replica must have synced before the set-up is any use.
  const replicaClient = new Redis({ port: replicaPort, host: '127.0.0.1' });
  for (let i = 0; i < 200; i += 1) {
    if ((await replicaClient.info('replication')).includes('master_link_status:up')) break;
    await sleep(50);
  }
  replicaClient.disconnect();
  return {
    sentinels: `127.0.0.1:${String(sentinelPort)}`,
    name: 'callgate',
    masterPort,
    replicaPort,
    killMaster: () => {
      kill(master);
    },
    stop: () => {
      [master, replica, sentinel].forEach(kill);
    },
  };
}
