// Text XML cannot carry becomes spaces: building the TwiML would throw, and every answer naming that
// customer would be an apology. The twilio package escapes `<`, `>` and `&` itself (so SSML is spoken).
// C0 and C1 controls (tab, CR and LF included: a name has no business with them), DEL and the
// noncharacters XML 1.0 forbids; then a surrogate without its other half.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function speakable(text: string): string {
  return text.replace(NOT_XML, ' ').replace(LONE_SURROGATE, ' ').replace(/\s+/g, ' ').trim();
}
