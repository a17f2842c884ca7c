import type { TranscriptLine } from './sim-types.js';

/** One readable line per event: who says or does what, on which call. */
export function formatLine(line: TranscriptLine): string {
  const who = line.who === 'callgate' ? `callgate → ${line.call}` : line.who === 'twilio' ? '' : line.call;
  // Twilio's own notes name the call they happened on: with several calls at once, whose is whose.
  if (line.who === 'twilio') return `      ${line.call} ${line.text}`;
  if (line.who === 'callgate') return `  ${who}: “${line.text}”`;
  return `  ${who} ${line.text}`;
}

export const printTranscript = (line: TranscriptLine): void => {
  process.stdout.write(`${formatLine(line)}\n`);
};
