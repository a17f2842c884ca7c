import type { Server } from 'node:http';

/** Closes a stand-in's server now: keep-alive connections included, so a test's end never waits on them. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}
