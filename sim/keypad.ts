/**
 * What a phone's keypad does at a <Gather>. A script entry is what the person
 * types, keys in order, e.g. '12345678#'. The simulator, not the keypad,
 * decides which keys the Gather takes: it stops at numDigits or at the finish
 * key, and whatever was typed after that is a stray key (see `readKeys`).
 */
export interface GatherKeys {
  numDigits: number | undefined;
  finishOnKey: string;
  timeout: number;
}

export interface Keypad {
  /** The keys typed, HANG_UP to hang up instead, or null to say nothing until the timeout. */
  press(gather: GatherKeys): Promise<string | null>;
}

/** A script entry that hangs up at this Gather instead of typing. */
export const HANG_UP = '<hang up>';

/** A keypad that types one entry per <Gather>; null (or running out) is silence. */
export function scriptedKeypad(entries: (string | null)[]): Keypad {
  const queue = [...entries];
  return { press: () => Promise.resolve(queue.shift() ?? null) };
}

export interface KeysRead {
  digits: string;
  /** How the Gather ended: numDigits reached, finish key pressed, or the timeout after the last key. */
  endedBy: 'numDigits' | 'finishOnKey' | 'timeout';
  /** Keys typed after the Gather had ended (e.g. a '#' after a full-length PIN). */
  stray: string;
}

/** Twilio's Gather ends at numDigits or at finishOnKey (which it does not submit), whichever comes first. */
export function readKeys(typed: string, gather: GatherKeys): KeysRead {
  let digits = '';
  for (let i = 0; i < typed.length; i += 1) {
    const key = typed.charAt(i);
    if (gather.finishOnKey !== '' && key === gather.finishOnKey) return { digits, endedBy: 'finishOnKey', stray: typed.slice(i + 1) };
    digits += key;
    if (gather.numDigits !== undefined && digits.length >= gather.numDigits) return { digits, endedBy: 'numDigits', stray: typed.slice(i + 1) };
  }
  return { digits, endedBy: 'timeout', stray: '' };
}
