import { Writable } from 'node:stream';

/**
 * Every log line written by any app a test file builds, and every secret the
 * file saw (PINs, API keys). After the file, test/setup/no-secret-leaks.ts
 * checks that no secret appears in any line.
 */
export const logLines: string[] = [];
const secrets = new Set<string>();

export const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
    done();
  },
});

export function rememberSecret(secret: string): void {
  secrets.add(secret);
}

/** The log lines that contain a remembered secret, with the secret masked so a failure does not print it. */
export function leakedSecrets(): string[] {
  return [...secrets].flatMap((secret) =>
    logLines.filter((line) => line.includes(secret)).map((line) => line.replaceAll(secret, '<SECRET>')),
  );
}
