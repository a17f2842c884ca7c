import { describe, expect, it } from 'vitest';
import { parseTwiml } from '../../sim/twiml-document.js';

const XML = 'text/xml; charset=utf-8';
const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

describe('the simulator reads TwiML as strictly as Twilio', () => {
  it('when the TwiML is callgate-like, then the verbs come out in order with Twilio defaults', () => {
    expect(parseTwiml(doc('<Gather numDigits="8" action="https://x/pin"><Say>Hi</Say></Gather><Hangup/>'), XML, 'call')).toEqual([
      { verb: 'Gather', action: 'https://x/pin', finishOnKey: '#', numDigits: 8, timeout: 5, actionOnEmptyResult: false, prompts: [{ verb: 'Say', text: 'Hi' }] },
      { verb: 'Hangup' },
    ]);
  });

  it.each([
    ['an unknown verb', doc('<Sing>la</Sing>'), 'call', /unknown verb <Sing>|not allowed/],
    ['a Gather inside a Say-only place', doc('<Gather><Gather/></Gather>'), 'call', /not allowed inside <Gather>/],
    ['a Gather that takes no digits', doc('<Gather input="speech"><Say>Talk</Say></Gather>'), 'call', /does not take digits/],
    ['an Enqueue in a wait URL', doc('<Enqueue>q</Enqueue>'), 'wait', /not allowed in a wait document/],
    ['a Gather in the Queue url (bridge)', doc('<Gather/>'), 'bridge', /not allowed in a bridge document/],
    ['a queue name over 64 characters', doc(`<Enqueue>${'q'.repeat(65)}</Enqueue>`), 'call', /1 to 64 characters/],
    ['a root that is not Response', '<?xml version="1.0"?><Reply/>', 'call', /root element must be <Response>/],
    ['broken XML', '<Response><Say>Hi</Response>', 'call', /not well-formed/],
  ])('when the TwiML has %s, then it is rejected', (_what, body, context, error) => {
    expect(() => parseTwiml(body, XML, context as 'call' | 'wait' | 'bridge')).toThrow(error);
  });

  it('when the Content-Type is missing or not XML, then it is rejected', () => {
    expect(() => parseTwiml(doc('<Hangup/>'), undefined, 'call')).toThrow(/Content-Type is missing/);
    expect(() => parseTwiml(doc('<Hangup/>'), 'text/html', 'call')).toThrow(/Content-Type is text\/html/);
  });
});
