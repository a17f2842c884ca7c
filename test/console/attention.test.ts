import { describe, expect, it } from 'vitest';
import type { GuessStanding } from '../../src/policy/guess-bound.js';
import { createAttentionBuilder } from '../../src/console/attention.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { testClock } from '../helpers/test-clock.js';

/** The guessing bound's standing as the console shows it, from the standing /metrics reads. */
function attentionWith(standing: () => Promise<GuessStanding>) {
  const clock = testClock();
  const policy = loadPolicy(undefined);
  return createAttentionBuilder({
    missed: { open: () => Promise.resolve([]) },
    deadLetters: { list: () => Promise.resolve({ total: 0, deadLetters: [] }) },
    standing,
    oncall: { list: () => Promise.resolve([]) },
    names: () => Promise.resolve({ account: () => undefined, user: () => undefined }),
    policy,
    clock,
  });
}

describe('the guessing bound in the console', () => {
  it("when the line's PIN-only allowance is spent, then the alarm says account codes are asked", async () => {
    const build = attentionWith(() => Promise.resolve({ livePins: 40, guesses: 900, probability: 0.00009, guessesLeft: 0 }));
    expect((await build()).guessing).toMatchObject({ livePins: 40, guesses: 900, guessesLeft: 0, accountCodesAsked: true });
  });

  it('when no PIN is live, then no guess can hit: guesses left is null (JSON has no infinity) and no alarm', async () => {
    const build = attentionWith(() => Promise.resolve({ livePins: 0, guesses: 3, probability: 0, guessesLeft: Number.POSITIVE_INFINITY }));
    expect((await build()).guessing).toMatchObject({ guessesLeft: null, accountCodesAsked: false });
  });

  it('when the standing cannot be read, then the rest of the panel is still built', async () => {
    const build = attentionWith(() => Promise.reject(new Error('redis away')));
    const attention = await build();
    expect(attention.guessing).toBeNull();
    expect(attention.missed.calls).toEqual([]);
  });
});
