import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('when run with nothing configured, then it plays the six calls and ends by itself', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tools/demo.ts'], {
      env: { PATH: process.env.PATH },
      timeout: 80_000,
    });
    expect(stdout).toContain('Sam Sysadmin presses 1');
    expect(stdout).toContain('Sam Sysadmin (connected with Ada)');
    // Two callers of one plan: each sysadmin is connected to the caller they were briefed about.
    const call2 = stdout.slice(stdout.indexOf('── Call 2'), stdout.indexOf('── Call 3'));
    for (const sysadmin of ['Sam Sysadmin', 'Kim Sysadmin']) {
      const briefing = new RegExp(`callgate → ${sysadmin}: “Emergency support call\\. .*The caller is named in the control panel as (Ada|Bob)`).exec(call2);
      expect(briefing, call2).not.toBeNull();
      expect(call2).toContain(`${sysadmin} (connected with ${briefing?.[1] ?? ''})`);
    }
    expect(stdout).toContain('Sorry, we could not verify your PIN.');
    expect(stdout).toContain('"code":"permission_required"');
    expect(stdout).toContain('Emergency phone support is closed right now.');
    expect(stdout).toMatch(/ada: connected \(taken by sam\)/);
    // Nobody answered: a message, then Sam phoned in and called Ada back.
    expect(stdout).toMatch(/ada: timed_out, left a \d+ s message, called back by sam/);
    expect(stdout).toContain('Calling Ada Lovelace back now.');
    // Caller ID is no credential: Sam's own call is only told he will be called back on his registered phone.
    expect(stdout).toContain('Sam Sysadmin (phoning in): “Emergency support line. We will call you back on your registered phone now. Goodbye.”');
    expect(stdout).toMatch(/^ {2}voicemail\.recorded \(\d+ s message\)$/m);
    expect(stdout).toMatch(/^ {2}callback\.connected \(sam\)$/m);
  }, 90_000);
});
