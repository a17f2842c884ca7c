// TwiML that differs between answers only in a few texts is built once with marks in their place,
// then filled in: building the XML is most of what such an answer costs (about 40 µs).

/** Element text escaped exactly as the twilio package's XML builder (xmlbuilder) escapes it. */
const escapeText = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');

export type FillTemplate<K extends string> = (texts: Record<K, string>) => string;

/**
 * Splits `rendered` at each mark (a plain word), so filling in never searches text it inserted.
 * Undefined when a mark does not occur exactly `times[mark]` times: the caller builds the answer itself.
 */
export function twimlTemplate<K extends string>(rendered: string, marks: Record<K, string>, times: Record<K, number>): FillTemplate<K> | undefined {
  const names = Object.keys(marks) as K[];
  const byMark = new Map(names.map((name) => [marks[name], name]));
  const parts = rendered.split(new RegExp(`(${names.map((name) => marks[name]).join('|')})`));
  const slots = parts.map((part, i) => (i % 2 === 1 ? byMark.get(part) : undefined));
  for (const name of names) {
    if (slots.filter((slot) => slot === name).length !== times[name]) return undefined;
  }
  return (texts) => {
    let out = '';
    for (let i = 0; i < parts.length; i += 1) {
      const slot = slots[i];
      out += slot === undefined ? (parts[i] ?? '') : escapeText(texts[slot]);
    }
    return out;
  };
}
