import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalCluster } from '../../tools/redis-topologies.js';
import { buildTestApp } from '../helpers/test-app.js';
import { callContract } from './call-contract.js';

// Three masters from redis-server processes; the service configured by REDIS_CLUSTER_NODES alone.
const cluster = await startLocalCluster();
const t = await buildTestApp({ env: { REDIS_URL: undefined, REDIS_CLUSTER_NODES: cluster.nodes } });
afterAll(async () => {
  await t.close();
  cluster.stop();
});

describe('on a 3-master Redis Cluster', () => {
  callContract(() => t);

  it('when several accounts exist, then their data is spread over more than one master', async () => {
    const admin = new Cluster(cluster.nodes.split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })));
    await new Promise((resolve) => admin.once('ready', resolve));
    const counts = await Promise.all(admin.nodes('master').map((node) => node.dbsize()));
    admin.disconnect();
    expect(counts.filter((count) => count > 0).length).toBeGreaterThan(1);
  });
});
