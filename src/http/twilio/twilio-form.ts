import type { IncomingMessage } from 'node:http';
import { parse, type ParsedUrlQuery } from 'node:querystring';

const LIMIT_BYTES = 16 * 1024;

/** A webhook body callgate will not read: it is answered with the apology, like any failed webhook. */
export class UnreadableWebhook extends Error {
  constructor(why: string) {
    super(`unreadable webhook body: ${why}`);
    this.name = 'UnreadableWebhook';
  }
}

function isForm(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type = '', ...parameters] = contentType.toLowerCase().split(';').map((part) => part.trim());
  if (type !== 'application/x-www-form-urlencoded') return false;
  return parameters.every((parameter) => !parameter.startsWith('charset=') || parameter === 'charset=utf-8');
}

/**
 * A webhook's parameters. Twilio posts UTF-8 `application/x-www-form-urlencoded` and names no other
 * form, so only that is read (express.urlencoded was a tenth of the PIN webhook's CPU); a body of
 * another type, or a GET, has no parameters (the signature check then decides).
 */
export function readForm(req: IncomingMessage): Promise<ParsedUrlQuery> {
  if (req.method !== 'POST' || !isForm(req.headers['content-type'])) {
    req.resume();
    return Promise.resolve({});
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    req.resume();
    return Promise.reject(new UnreadableWebhook(`content-encoding ${encoding}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the connection stays usable for the answer.
      if (size <= LIMIT_BYTES) chunks.push(chunk);
      else reject(new UnreadableWebhook(`larger than ${String(LIMIT_BYTES)} bytes`));
    });
    req.on('end', () => {
      // node:querystring keeps repeated keys as arrays, as Twilio's signature check expects.
      resolve(parse(Buffer.concat(chunks, Math.min(size, LIMIT_BYTES)).toString('utf8')));
    });
    req.on('error', reject);
  });
}
