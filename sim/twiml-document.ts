import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';
import { ALLOWED, GATHER_NESTS, type TwimlContext, type Verb } from './twiml-verbs.js';

export type { DialNumberVerb, DialQueueVerb, EnqueueVerb, GatherVerb, RecordVerb, TwimlContext, Verb } from './twiml-verbs.js';

/**
 * TwiML as the simulator reads it: parsed, and checked the way Twilio checks
 * it, so callgate cannot come to depend on leniency Twilio does not have.
 * Only the verbs callgate may use are known; anything else is an error, as is
 * a verb where Twilio does not allow it (e.g. <Enqueue> in a wait URL).
 */
export class TwimlError extends Error {
  /** Twilio's error code: 12300 Invalid Content-Type, 12100 Document parse failure. */
  readonly code: number;
  constructor(message: string, code = 12100) {
    super(`Twilio would reject this TwiML: ${message}`);
    this.name = 'TwimlError';
    this.code = code;
  }
}

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

const nameOf = (node: Node): string => Object.keys(node).find((key) => key !== ':@') ?? '';
const childrenOf = (node: Node): Node[] => ((node[nameOf(node)] as Node[] | undefined) ?? []).filter((child) => nameOf(child) !== '#text' || typeof child['#text'] !== 'string' || child['#text'].trim() !== '');
const elementsOf = (node: Node): Node[] => childrenOf(node).filter((child) => nameOf(child) !== '#text');
const attrsOf = (node: Node): Record<string, string> => node[':@'] ?? {};
const textOf = (node: Node): string =>
  childrenOf(node)
    .map((child) => (typeof child['#text'] === 'string' ? child['#text'] : ''))
    .join('');

function numberAttr(attrs: Record<string, string>, name: string, fallback: number, positive = false): number {
  const value = attrs[name];
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || (positive && parsed === 0)) throw new TwimlError(`${name}="${value}" is not a valid number`);
  return parsed;
}

function methodAttr(attrs: Record<string, string>, name: string): string {
  const value = (attrs[name] ?? 'POST').toUpperCase();
  if (value !== 'GET' && value !== 'POST') throw new TwimlError(`${name}="${value}" must be GET or POST`);
  return value;
}

function queueName(node: Node): string {
  const queue = textOf(node).trim();
  // https://www.twilio.com/docs/voice/twiml/enqueue: "The queue name must be 64 characters or less".
  if (queue.length === 0 || queue.length > 64) throw new TwimlError('a queue name must be 1 to 64 characters');
  return queue;
}

// E.164: '+', a country code, at most 15 digits (the simulator does not take Twilio's unformatted US numbers).
const E164 = /^\+[1-9]\d{1,14}$/;

/** <Dial> of a single <Queue> or a single <Number>; bare numbers, <Client>, <Sip>, <Conference> and several nouns are not simulated. */
function dial(node: Node): Verb {
  const attrs = attrsOf(node);
  const nouns = childrenOf(node);
  const noun = nouns[0];
  if (noun === undefined || nouns.length !== 1 || (nameOf(noun) !== 'Queue' && nameOf(noun) !== 'Number')) {
    throw new TwimlError('the simulator dials only a single <Queue> or a single <Number>');
  }
  const nounAttrs = attrsOf(noun);
  const common = {
    timeout: numberAttr(attrs, 'timeout', 30, true),
    action: attrs.action,
    method: methodAttr(attrs, 'method'),
    url: nounAttrs.url,
    urlMethod: methodAttr(nounAttrs, 'method'),
  };
  if (nameOf(noun) === 'Queue') return { verb: 'DialQueue', queue: queueName(noun), ...common };
  const number = textOf(noun).trim();
  if (!E164.test(number)) throw new TwimlError(`<Number>${number}</Number> is not an E.164 number`);
  return { verb: 'DialNumber', number, callerId: attrs.callerId, ...common };
}

const RECORDING_EVENTS: ReadonlySet<string> = new Set(['in-progress', 'completed', 'absent']);

function recordVerb(attrs: Record<string, string>): Verb {
  const trim = attrs.trim ?? 'trim-silence';
  if (trim !== 'trim-silence' && trim !== 'do-not-trim') throw new TwimlError(`trim="${trim}" must be trim-silence or do-not-trim`);
  const events = (attrs.recordingStatusCallbackEvent ?? 'completed').split(/[\s,]+/).filter((event) => event !== '');
  const unknown = events.find((event) => !RECORDING_EVENTS.has(event));
  if (unknown !== undefined) throw new TwimlError(`recordingStatusCallbackEvent "${unknown}" is not in-progress, completed or absent`);
  return {
    verb: 'Record',
    action: attrs.action,
    method: methodAttr(attrs, 'method'),
    maxLength: numberAttr(attrs, 'maxLength', 3600, true),
    finishOnKey: attrs.finishOnKey ?? '1234567890*#',
    playBeep: attrs.playBeep !== 'false',
    timeout: numberAttr(attrs, 'timeout', 5),
    trim,
    recordingStatusCallback: attrs.recordingStatusCallback,
    recordingStatusCallbackMethod: methodAttr(attrs, 'recordingStatusCallbackMethod'),
    recordingStatusCallbackEvent: events,
  };
}

function toVerb(node: Node, context: TwimlContext, insideGather = false): Verb {
  const name = nameOf(node);
  const attrs = attrsOf(node);
  if (insideGather ? !GATHER_NESTS.has(name) : !ALLOWED[context].has(name)) {
    throw new TwimlError(`<${name}> is not allowed ${insideGather ? 'inside <Gather>' : `in a ${context} document`}`);
  }
  switch (name) {
    case 'Say':
      return { verb: 'Say', text: textOf(node) };
    case 'Play':
      return { verb: 'Play', url: textOf(node).trim(), loop: numberAttr(attrs, 'loop', 1) };
    case 'Pause':
      return { verb: 'Pause', length: numberAttr(attrs, 'length', 1) };
    case 'Gather': {
      const input = (attrs.input ?? 'dtmf').split(/\s+/);
      if (!input.includes('dtmf')) throw new TwimlError('<Gather> does not take digits (input has no dtmf)');
      return {
        verb: 'Gather',
        action: attrs.action,
        method: methodAttr(attrs, 'method'),
        finishOnKey: attrs.finishOnKey ?? '#',
        numDigits: attrs.numDigits === undefined ? undefined : numberAttr(attrs, 'numDigits', 1, true),
        timeout: numberAttr(attrs, 'timeout', 5),
        actionOnEmptyResult: attrs.actionOnEmptyResult === 'true',
        prompts: elementsOf(node).map((child) => toVerb(child, context, true)),
      };
    }
    case 'Redirect':
      return { verb: 'Redirect', url: textOf(node).trim(), method: methodAttr(attrs, 'method') };
    case 'Hangup':
    case 'Reject':
    case 'Leave':
      return { verb: name };
    case 'Enqueue':
      return { verb: 'Enqueue', queue: queueName(node), waitUrl: attrs.waitUrl, waitUrlMethod: methodAttr(attrs, 'waitUrlMethod'), action: attrs.action, method: methodAttr(attrs, 'method') };
    case 'Dial':
      return dial(node);
    case 'Record':
      return recordVerb(attrs);
    default:
      throw new TwimlError(`unknown verb <${name}>`);
  }
}

/** Parses a webhook's answer; throws TwimlError where Twilio would fail the call. */
export function parseTwiml(body: string, contentType: string | undefined, context: TwimlContext): Verb[] {
  if (contentType === undefined || !/^(text|application)\/xml\b/.test(contentType)) {
    throw new TwimlError(`Content-Type is ${contentType ?? 'missing'}, not text/xml`, 12300);
  }
  try {
    SyntaxValidator.validate(body);
  } catch (error) {
    throw new TwimlError(`not well-formed XML: ${(error as Error).message}`);
  }
  const nodes = (parser.parse(body) as Node[]).filter((node) => nameOf(node) !== '?xml');
  const response = nodes[0];
  if (nodes.length !== 1 || response === undefined || nameOf(response) !== 'Response') {
    throw new TwimlError('the root element must be <Response>');
  }
  return elementsOf(response).map((node) => toVerb(node, context));
}
