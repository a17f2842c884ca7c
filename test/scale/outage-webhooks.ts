import { Agent, request } from 'node:http';
import twilio from 'twilio';

/**
 * Twilio's side of the webhooks during the outage, for callers held cheaply (no simulated call):
 * each webhook signed over the public URL, sent to the instances in turn as a load balancer
 * would, and a failed connection retried once on the next instance, as Twilio retries by default
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides: rc=1, rp=ct).
 * Every answer is kept with its time and kind, so the test can say how long the line apologised.
 */
export type AnswerKind = 'enqueued' | 'not recognised' | 'account code' | 'turned away' | 'locked out' | 'line trouble' | 'apology' | 'held' | 'left' | 'other' | 'no answer';

export interface Answer {
  path: string;
  at: number;
  kind: AnswerKind;
  status: number;
}

// The PIN step's and every webhook's apology (twiml/prompts/en-GB.json "apology").
const APOLOGY = 'the emergency support line has a problem right now';

function kindOf(status: number, body: string): AnswerKind {
  if (status !== 200) return 'no answer';
  if (body.includes(APOLOGY)) return 'apology';
  // What a sysadmin hears instead of the apology ("agentLineTrouble").
  if (body.includes('cannot reach its records right now')) return 'line trouble';
  if (body.includes('<Enqueue')) return 'enqueued';
  if (body.includes('not recognised')) return 'not recognised';
  if (body.includes('account code')) return 'account code';
  // The number locked out for its failed PINs.
  if (body.includes('Too many incorrect PINs')) return 'locked out';
  // Too many wrong entries on this call.
  if (body.includes('could not verify your PIN')) return 'turned away';
  if (body.includes('<Leave')) return 'left';
  if (body.includes('<Pause') || body.includes('<Play')) return 'held';
  return 'other';
}

export interface Webhooks {
  /** Sends a signed webhook; `path` is relative to the public base URL, or a full URL callgate gave. */
  send(path: string, params: Record<string, string>): Promise<{ kind: AnswerKind; body: string }>;
  answers: Answer[];
  /** Webhooks that reached no instance, even on the retry. */
  unanswered: () => number;
  /** Webhooks whose first instance refused or cut the connection, sent again to the next. */
  retried: () => number;
  close(): void;
}

export function twilioWebhooks(options: { publicBaseUrl: string; authToken: string; instanceUrls: string[] }): Webhooks {
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const answers: Answer[] = [];
  let turn = 0;
  let retries = 0;

  const post = (instanceUrl: string, path: string, body: string, signature: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const target = new URL(path, instanceUrl);
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: `${target.pathname}${target.search}`,
          agent,
          timeout: 15_000,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: text });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('read timeout')));
      req.on('error', reject);
      req.end(body);
    });

  async function send(path: string, params: Record<string, string>) {
    const url = path.startsWith('http') ? path : `${options.publicBaseUrl}${path}`;
    const relative = url.slice(options.publicBaseUrl.length);
    const signature = twilio.getExpectedTwilioSignature(options.authToken, url, params);
    const body = new URLSearchParams(params).toString();
    const first = turn++ % options.instanceUrls.length;
    let answer: { status: number; body: string } = { status: 0, body: '' };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const instanceUrl = options.instanceUrls[(first + attempt) % options.instanceUrls.length] ?? '';
      try {
        answer = await post(instanceUrl, relative, body, signature);
        break;
      } catch {
        // A connection refused or cut by a killed instance: once more, on the next one.
        if (attempt === 0) retries += 1;
      }
    }
    const kind = kindOf(answer.status, answer.body);
    answers.push({ path: relative.split('?')[0] ?? relative, at: Date.now(), kind, status: answer.status });
    return { kind, body: answer.body };
  }

  return {
    send,
    answers,
    unanswered: () => answers.filter((answer) => answer.kind === 'no answer').length,
    retried: () => retries,
    close: () => {
      agent.destroy();
    },
  };
}
