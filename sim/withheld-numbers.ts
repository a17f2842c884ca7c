/**
 * How a withheld caller ID reaches the Voice URL as `From`. Twilio has long
 * translated the carrier's alpha strings into their keypad digits
 * (ANONYMOUS → +266696687, RESTRICTED → +7378742833, …), and announced it
 * would start passing the alpha strings through on <Dial> legs:
 * https://www.twilio.com/changelog/upcoming-changes-to-withheld-caller-ids-behavior-for-dial-calls
 * A service must therefore treat every one of these as "no usable number".
 */
export const WITHHELD_FROM = {
  anonymous: '+266696687',
  restricted: '+7378742833',
  unknown: '+8656696',
  blocked: '+2562533',
  anonymousAlpha: 'anonymous',
} as const;

export const WITHHELD_FROM_VALUES: readonly string[] = Object.values(WITHHELD_FROM);
