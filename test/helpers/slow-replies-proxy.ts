import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A Redis whose *answers* can be slow: a TCP proxy that forwards commands at once but, once
 * armed, holds back for `ms` every reply after the first command containing one of `markers`.
 * The command runs in Redis in time; only its answer is late (unlike a hung Redis).
 */
export async function slowRepliesProxy(redisUrl: string): Promise<{ url: string; armOn: (markers: string[], ms: number) => void; close: () => Promise<void> }> {
  const target = new URL(redisUrl);
  let armed: { markers: string[]; ms: number } | undefined;
  let holdUntil = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    let replies = Promise.resolve();
    client.on('data', (chunk) => {
      if (armed !== undefined && armed.markers.some((marker) => chunk.includes(marker))) {
        holdUntil = Date.now() + armed.ms;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      // In order: a reply held back holds back the ones after it.
      replies = replies.then(async () => {
        await sleep(Math.max(0, holdUntil - Date.now()));
        client.write(chunk);
      });
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${String(port)}`,
    armOn: (markers, ms) => {
      armed = { markers, ms };
    },
    // Connections still open (a client that outlives the test) are cut, or close would wait for them.
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
