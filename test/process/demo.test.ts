import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('when run with nothing configured, then it plays the four calls and ends by itself', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tools/demo.ts'], {
      env: { PATH: process.env.PATH },
      timeout: 60_000,
    });
    expect(stdout).toContain('Sam Sysadmin presses 1');
    expect(stdout).toContain('(connected with Ada)');
    expect(stdout).toContain('Sorry, we could not verify your PIN.');
    expect(stdout).toContain('"code":"permission_required"');
    expect(stdout).toContain('Emergency phone support is closed right now.');
    expect(stdout).toMatch(/ada: connected \(taken by sam\)/);
  });
});
