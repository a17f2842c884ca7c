/**
 * Makes any stored text safe to speak: XML cannot carry control characters or lone
 * surrogates (building the TwiML would throw, and every answer naming that customer
 * would become an apology), so they become spaces. SSML needs no escaping here: the
 * twilio package escapes `<`, `>` and `&` in <Say>. Names are refused at the API too;
 * this is the second line, for data that is already stored or arrives another way.
 */
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
