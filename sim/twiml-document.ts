import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';

/**
 * TwiML as the simulator reads it: parsed, and checked the way Twilio checks
 * it, so callgate cannot come to depend on leniency Twilio does not have.
 * Only the verbs callgate may use are known; anything else is an error, as is
 * a verb where Twilio does not allow it (e.g. <Enqueue> in a wait URL).
 */
export type Verb =
  | { verb: 'Say'; text: string }
  | { verb: 'Play'; url: string }
  | { verb: 'Pause'; length: number }
  | {
      verb: 'Gather';
      action: string | undefined;
      finishOnKey: string;
      numDigits: number | undefined;
      timeout: number;
      actionOnEmptyResult: boolean;
      prompts: Verb[];
    }
  | { verb: 'Redirect'; url: string }
  | { verb: 'Hangup' }
  | { verb: 'Reject' }
  | { verb: 'Leave' }
  | { verb: 'Enqueue'; queue: string; waitUrl: string | undefined; action: string | undefined }
  | { verb: 'DialQueue'; queue: string; url: string | undefined };

/** Where a document was fetched: each place allows only some verbs (Twilio's TwiML reference). */
export type TwimlContext = 'call' | 'wait' | 'bridge';

const ALLOWED: Record<TwimlContext, ReadonlySet<string>> = {
  call: new Set(['Say', 'Play', 'Pause', 'Gather', 'Redirect', 'Hangup', 'Reject', 'Enqueue', 'Dial', 'Leave']),
  wait: new Set(['Play', 'Say', 'Pause', 'Gather', 'Redirect', 'Leave', 'Hangup']),
  bridge: new Set(['Play', 'Say', 'Pause', 'Redirect']),
};
const GATHER_NESTS = new Set(['Say', 'Play', 'Pause']);

export class TwimlError extends Error {
  constructor(message: string) {
    super(`Twilio would reject this TwiML: ${message}`);
    this.name = 'TwimlError';
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
const childrenOf = (node: Node): Node[] => (node[nameOf(node)] as Node[] | undefined) ?? [];
const attrsOf = (node: Node): Record<string, string> => node[':@'] ?? {};
const textOf = (node: Node): string =>
  childrenOf(node)
    .map((child) => (typeof child['#text'] === 'string' ? child['#text'] : ''))
    .join('');

function numberAttr(attrs: Record<string, string>, name: string, fallback: number): number {
  const value = attrs[name];
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new TwimlError(`${name}="${value}" is not a number`);
  return parsed;
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
      return { verb: 'Play', url: textOf(node) };
    case 'Pause':
      return { verb: 'Pause', length: numberAttr(attrs, 'length', 1) };
    case 'Gather': {
      const input = (attrs.input ?? 'dtmf').split(/\s+/);
      if (!input.includes('dtmf')) throw new TwimlError('<Gather> does not take digits (input has no dtmf)');
      return {
        verb: 'Gather',
        action: attrs.action,
        finishOnKey: attrs.finishOnKey ?? '#',
        numDigits: attrs.numDigits === undefined ? undefined : numberAttr(attrs, 'numDigits', 1),
        timeout: numberAttr(attrs, 'timeout', 5),
        actionOnEmptyResult: attrs.actionOnEmptyResult === 'true',
        prompts: childrenOf(node).filter((child) => nameOf(child) !== '#text').map((child) => toVerb(child, context, true)),
      };
    }
    case 'Redirect':
      return { verb: 'Redirect', url: textOf(node) };
    case 'Hangup':
    case 'Reject':
    case 'Leave':
      return { verb: name };
    case 'Enqueue': {
      const queue = textOf(node);
      if (queue.length === 0 || queue.length > 64) throw new TwimlError('a queue name must be 1 to 64 characters');
      return { verb: 'Enqueue', queue, waitUrl: attrs.waitUrl, action: attrs.action };
    }
    case 'Dial': {
      const nouns = childrenOf(node);
      const queue = nouns.find((noun) => nameOf(noun) === 'Queue');
      if (queue === undefined || nouns.length !== 1) throw new TwimlError('the simulator dials only a single <Queue>');
      return { verb: 'DialQueue', queue: textOf(queue), url: attrsOf(queue).url };
    }
    default:
      throw new TwimlError(`unknown verb <${name}>`);
  }
}

/** Parses a webhook's answer; throws TwimlError where Twilio would fail the call. */
export function parseTwiml(body: string, contentType: string | undefined, context: TwimlContext): Verb[] {
  if (contentType === undefined || !/^(text|application)\/xml\b/.test(contentType)) {
    throw new TwimlError(`Content-Type is ${contentType ?? 'missing'}, not text/xml`);
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
  return childrenOf(response).map((node) => toVerb(node, context));
}
