import { createInterface } from 'node:readline/promises';
import type { Keypad } from './keypad.js';

/** A keypad that reads the keys of each <Gather> from the terminal; Enter alone is silence. */
export function keyboardKeypad(who: string): Keypad & { close(): void } {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  return {
    async press(gather) {
      const hint = gather.numDigits === undefined ? `then ${gather.finishOnKey}` : `${String(gather.numDigits)} digit(s)`;
      const typed = (await terminal.question(`  ${who}, press keys (${hint}; Enter alone says nothing): `)).trim();
      // Keys as typed, finish key included: the simulator decides what the Gather takes.
      return typed === '' ? null : typed.replace(/[^0-9*#]/g, '');
    },
    close: () => {
      terminal.close();
    },
  };
}
