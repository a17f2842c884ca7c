// Text XML cannot carry becomes spaces: building the TwiML would throw, and every answer naming that
// customer would be an apology. The twilio package escapes `<`, `>` and `&` itself (so SSML is spoken).
// C0 and C1 controls (tab, CR and LF included: a name has no business with them), and DEL.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Noncharacters that XML 1.0 forbids.
const NOT_XML = /[\ufffe\uffff]/g;

export function speakable(text: string): string {
  return text.replace(CONTROL, ' ').replace(LONE_SURROGATE, ' ').replace(NOT_XML, ' ').replace(/\s+/g, ' ').trim();
}
