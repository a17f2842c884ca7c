import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';
import type { Finding } from './doctor-findings.js';

// What `npm run doctor` makes of the voice fallback's and the events receiver's answers (doctor-probes.ts).
export type HttpAnswer = { status: number; contentType: string; body: string } | { unreachable: string };

// Twilio reads these as TwiML (https://www.twilio.com/docs/voice/twiml/your-response, "Twilio
// understands MIME types"); audio is played and text/plain read out, then the call hangs up.
const TWIML_TYPES = ['text/xml', 'application/xml', 'text/html'];

const rootParser = new XMLParser({ preserveOrder: true, ignoreDeclaration: true, ignorePiTags: true });

/** Why `body` is not a TwiML document (well-formed XML whose root is <Response>), or undefined when it is. */
export function twimlProblem(body: string): string | undefined {
  try {
    SyntaxValidator.validate(body);
  } catch (error) {
    return `not well-formed XML (${error instanceof Error ? error.message : String(error)})`;
  }
  const roots = (rootParser.parse(body) as Record<string, unknown>[]).flatMap((node) => Object.keys(node).filter((key) => key !== '#text' && key !== ':@'));
  return roots.length === 1 && roots[0] === 'Response' ? undefined : `its root element is <${roots.join('>, <')}>, not <Response>`;
}

const mediaType = (contentType: string): string => (contentType.split(';')[0] ?? '').trim().toLowerCase();

/** The fallback is what Twilio plays when callgate fails, so it must answer TwiML, and not from callgate. */
export function fallbackFinding(fallback: { url: string; method: string; own: boolean }, answer: HttpAnswer | undefined): Finding {
  const check = 'voice fallback';
  if (fallback.url === '' || answer === undefined) return { check, status: 'skip', detail: 'none set (see number webhooks)' };
  const problem = fallbackProblem(fallback.method, answer);
  if (fallback.own) {
    const how = problem === undefined ? 'answers TwiML, but it is' : `${problem}; it is`;
    return { check, status: 'warn', detail: `${how} callgate's own ${fallback.url}, down whenever callgate is: host twiml/fallback.xml apart (a TwiML Bin), then npm run twilio:setup -- --fallback-url …` };
  }
  if (problem === undefined) return { check, status: 'ok', detail: `${fallback.url} answers TwiML` };
  // An audio file or text is played or read out before Twilio hangs up: a fallback all the same.
  const status = 'status' in answer && answer.status < 300 && /^(audio\/|text\/plain$)/.test(mediaType(answer.contentType)) ? 'warn' : 'fail';
  return { check, status, detail: `${fallback.url} ${problem}: when callgate fails, callers would hear Twilio's application error, not the apology` };
}

function fallbackProblem(method: string, answer: HttpAnswer): string | undefined {
  if ('unreachable' in answer) return `is not reachable (${answer.unreachable})`;
  if (answer.status === 405) return `refuses ${method} (HTTP 405): host it where ${method} is answered (a TwiML Bin), or set the fallback method to one it answers`;
  if (answer.status < 200 || answer.status >= 300) return `answers HTTP ${String(answer.status)} to ${method}`;
  const type = mediaType(answer.contentType);
  if (!TWIML_TYPES.includes(type)) return `answers Content-Type ${type === '' ? '(none)' : type}, which Twilio does not read as TwiML`;
  const problem = twimlProblem(answer.body);
  return problem === undefined ? undefined : `answers no TwiML: ${problem}`;
}

/** Each answer's status, or why there was none. */
export type Answered = number | { unreachable: string };

const refusal = (answer: Answered): answer is 401 | 403 => answer === 401 || answer === 403;
const named = (answer: Answered): string => (typeof answer === 'number' ? `HTTP ${String(answer)}` : 'no answer');

/**
 * A receiver that checks signatures answers 401/403 to the wrongly signed event; a 4xx to the signed
 * one is its refusal of the unknown type `callgate.ping`. Never `fail`: events wait, calls go on.
 */
export function eventsReceiverFinding(signed: Answered, forged: Answered): Finding {
  const check = 'events receiver';
  if (typeof signed !== 'number') return { check, status: 'warn', detail: `not reachable: ${signed.unreachable}; events wait in the outbox` };
  const got = named(signed);
  if (refusal(signed)) {
    return { check, status: 'warn', detail: `refused the signature (${got}): EVENTS_SECRET is not the receiver's; events wait in the outbox, then become dead letters` };
  }
  if (signed >= 300 && signed < 400) return { check, status: 'warn', detail: `answered a redirect (${got}), which delivery does not follow: set EVENTS_URL to where it points` };
  if (signed >= 500) return { check, status: 'warn', detail: `answered ${got}: its own failure; events are retried` };
  if (signed >= 200 && signed < 300) {
    return refusal(forged)
      ? { check, status: 'ok', detail: `accepted a signed test event (${got}); refused a wrongly signed one (${named(forged)})` }
      : { check, status: 'warn', detail: `accepted a signed test event (${got}), but also a wrongly signed one (${named(forged)}): it does not check Callgate-Signature (docs/events.md)` };
  }
  return refusal(forged)
    ? { check, status: 'ok', detail: `signature accepted: ${got} to the signed test event (its type, callgate.ping, it need not know), ${named(forged)} to a wrongly signed one` }
    : { check, status: 'warn', detail: `answered ${got} to a signed test event and ${named(forged)} to a wrongly signed one: check EVENTS_URL; whether the signature is accepted cannot be told` };
}
