import type { GuessingView } from '../attention-schema.js';
import { byId } from './dom.js';

/** The guessing bound's standing (docs/security.md "The guessing bound"), and its alarm: account codes asked of every caller. */
const percent = (p: number): string => `${(p * 100).toPrecision(2)} %`;

export function renderGuessing(guessing: GuessingView | null): void {
  const standing = byId('guessing', HTMLParagraphElement);
  const alarm = byId('guessing-alarm', HTMLParagraphElement);
  if (guessing === null) {
    standing.textContent = 'The guessing bound could not be read just now.';
    alarm.hidden = true;
    return;
  }
  const left = guessing.guessesLeft === null ? 'no PIN is live, so no guess can hit' : `${guessing.guessesLeft.toLocaleString()} PIN-only guesses left before callers are asked for their account code`;
  standing.textContent =
    `${guessing.guesses.toLocaleString()} wrong PINs in the last ${String(guessing.windowHours)} h with ${guessing.livePins.toLocaleString()} PINs live: ` +
    `the chance they found one is ${percent(guessing.probability)} (bound ${percent(guessing.bound)}); ${left}.`;
  // Announced once when it goes up, not on every redraw.
  const raised = guessing.accountCodesAsked;
  if (alarm.hidden === raised) {
    alarm.hidden = !raised;
    alarm.textContent = raised ? "The line's guess allowance is spent: every caller is asked for their account code before their PIN." : '';
  }
}
