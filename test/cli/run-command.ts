import { startTsx } from '../helpers/tsx-process.js';

/** Runs a `src/cli` entry point as its own process, as `npm run …` does, and collects what it prints. */
export async function runCommand(entry: string, args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startTsx(entry, args, env);
  const [code] = await run.exited;
  return { code, ...run.output() };
}
