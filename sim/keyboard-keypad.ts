import { createInterface } from 'node:readline/promises';
import type { Keypad } from './simulated-twilio.js';

/** A keypad that reads the digits of each <Gather> from the terminal; Enter alone is silence. */
export function keyboardKeypad(who: string): Keypad & { close(): void } {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  return {
    async press(gather) {
      const hint = gather.numDigits === undefined ? `then ${gather.finishOnKey}` : `${String(gather.numDigits)} digit(s)`;
      const typed = (await terminal.question(`  ${who}, press keys (${hint}; Enter alone says nothing): `)).trim();
      const digits = typed.endsWith(gather.finishOnKey) ? typed.slice(0, -gather.finishOnKey.length) : typed;
      return digits === '' && typed === '' ? null : digits.replace(/[^0-9*]/g, '');
    },
    close: () => {
      terminal.close();
    },
  };
}
