import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('when run with nothing configured, then it seeds the demo account, issues a PIN and shows a refusal', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tools/demo.ts', '--once'], {
      env: { PATH: process.env.PATH },
      timeout: 30_000,
    });
    expect(stdout).toContain('Started a private redis-server');
    expect(stdout).toMatch(/Ada's PIN: \d{8} \(expires /);
    expect(stdout).toContain('Bob asks for a PIN: 403 {"error":{"code":"permission_required"');
  });
});
