import { describe, expect, it } from 'vitest';
import { parseTwiml } from '../../sim/twiml-document.js';

// What Twilio accepts where: https://www.twilio.com/docs/voice/twiml (verbs and nesting),
// https://www.twilio.com/docs/voice/twiml/enqueue (waitUrl verbs, queue name ≤ 64),
// https://www.twilio.com/docs/voice/twiml/queue (<Queue url>: Play, Say, Pause, Redirect only),
// https://www.twilio.com/docs/voice/twiml/dial (timeout default 30, action, method),
// https://www.twilio.com/docs/voice/twiml/record (attributes and defaults),
// https://www.twilio.com/docs/voice/twiml/number#attributes-url (<Number url>: Play, Say, Gather, Hangup; "does not support any other TwiML verbs").

const XML = 'text/xml; charset=utf-8';
const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

describe('the simulator reads TwiML as strictly as Twilio', () => {
  it('when the TwiML is callgate-like, then the verbs come out in order with Twilio defaults', () => {
    expect(parseTwiml(doc('<Gather numDigits="8" action="https://x/pin"><Say>Hi</Say></Gather><Hangup/>'), XML, 'call')).toEqual([
      { verb: 'Gather', action: 'https://x/pin', method: 'POST', finishOnKey: '#', numDigits: 8, timeout: 5, actionOnEmptyResult: false, prompts: [{ verb: 'Say', text: 'Hi' }] },
      { verb: 'Hangup' },
    ]);
  });

  it('when a sysadmin dials a queue, then timeout, action, method and the <Queue url> are read, with Dial\'s 30 s default', () => {
    expect(parseTwiml(doc('<Dial timeout="10" action="https://x/dialed" method="POST"><Queue url="https://x/bridge">cg-CA1</Queue></Dial>'), XML, 'call')).toEqual([
      { verb: 'DialQueue', queue: 'cg-CA1', timeout: 10, action: 'https://x/dialed', method: 'POST', url: 'https://x/bridge', urlMethod: 'POST' },
    ]);
    expect(parseTwiml(doc('<Dial><Queue>q</Queue></Dial>'), XML, 'call')).toMatchObject([{ timeout: 30, action: undefined }]);
  });

  it('when <Play loop> and <Record> are used, then they are read with Twilio defaults', () => {
    expect(parseTwiml(doc('<Play loop="0">https://x/hold.mp3</Play><Record maxLength="60" action="https://x/rec"/>'), XML, 'call')).toEqual([
      { verb: 'Play', url: 'https://x/hold.mp3', loop: 0 },
      { verb: 'Record', action: 'https://x/rec', method: 'POST', maxLength: 60, finishOnKey: '1234567890*#', playBeep: true, timeout: 5, trim: 'trim-silence', recordingStatusCallback: undefined, recordingStatusCallbackMethod: 'POST', recordingStatusCallbackEvent: ['completed'] },
    ]);
  });

  it.each([
    ['an unknown verb', doc('<Sing>la</Sing>'), 'call', /unknown verb <Sing>|not allowed/],
    ['a Gather inside a Say-only place', doc('<Gather><Gather/></Gather>'), 'call', /not allowed inside <Gather>/],
    ['a Gather that takes no digits', doc('<Gather input="speech"><Say>Talk</Say></Gather>'), 'call', /does not take digits/],
    ['an Enqueue in a wait URL', doc('<Enqueue>q</Enqueue>'), 'wait', /not allowed in a wait document/],
    ['a Dial in a wait URL', doc('<Dial><Queue>q</Queue></Dial>'), 'wait', /not allowed in a wait document/],
    ['a Record in a wait URL', doc('<Record/>'), 'wait', /not allowed in a wait document/],
    ['a Gather in the Queue url (bridge)', doc('<Gather/>'), 'bridge', /not allowed in a bridge document/],
    ['a Leave in the Queue url (bridge)', doc('<Leave/>'), 'bridge', /not allowed in a bridge document/],
    ['a Hangup in the Queue url (bridge)', doc('<Hangup/>'), 'bridge', /not allowed in a bridge document/],
    ['a Pause in the Number url (screen)', doc('<Say>Hi</Say><Pause length="2"/>'), 'screen', /<Pause> is not allowed in a screen document/],
    ['a Redirect in the Number url (screen)', doc('<Redirect>https://x/more</Redirect>'), 'screen', /<Redirect> is not allowed in a screen document/],
    ['a Record in the Number url (screen)', doc('<Record/>'), 'screen', /<Record> is not allowed in a screen document/],
    ['an Enqueue in the Number url (screen)', doc('<Enqueue>q</Enqueue>'), 'screen', /<Enqueue> is not allowed in a screen document/],
    ['a Reject in the Number url (screen)', doc('<Reject/>'), 'screen', /<Reject> is not allowed in a screen document/],
    ['a queue name over 64 characters', doc(`<Enqueue>${'q'.repeat(65)}</Enqueue>`), 'call', /1 to 64 characters/],
    ['a dialled queue name over 64 characters', doc(`<Dial><Queue>${'q'.repeat(65)}</Queue></Dial>`), 'call', /1 to 64 characters/],
    ['a Dial of two queues', doc('<Dial><Queue>a</Queue><Queue>b</Queue></Dial>'), 'call', /single <Queue>/],
    ['a Dial of a number', doc('<Dial>+441234</Dial>'), 'call', /single <Queue>/],
    ['a Dial timeout of zero', doc('<Dial timeout="0"><Queue>q</Queue></Dial>'), 'call', /timeout="0"/],
    ['a method that is not GET or POST', doc('<Redirect method="PUT">https://x</Redirect>'), 'call', /GET or POST/],
    ['a root that is not Response', '<?xml version="1.0"?><Reply/>', 'call', /root element must be <Response>/],
    ['broken XML', '<Response><Say>Hi</Response>', 'call', /not well-formed/],
  ])('when the TwiML has %s, then it is rejected', (_what, body, context, error) => {
    expect(() => parseTwiml(body, XML, context as 'call' | 'wait' | 'bridge' | 'screen')).toThrow(error);
  });

  it('when a <Number url> document uses only Play, Say, Gather (prompts may pause) and Hangup, then it is accepted', () => {
    expect(parseTwiml(doc('<Play>https://x/a.mp3</Play><Say>Hi</Say><Gather numDigits="1"><Pause length="1"/><Say>Press 1</Say></Gather><Hangup/>'), XML, 'screen')).toHaveLength(4);
  });

  it('when the Content-Type is missing or not XML, then it is rejected (Twilio error 12300)', () => {
    expect(() => parseTwiml(doc('<Hangup/>'), undefined, 'call')).toThrow(/Content-Type is missing/);
    expect(() => parseTwiml(doc('<Hangup/>'), 'text/html', 'call')).toThrow(expect.objectContaining({ code: 12300 }) as Error);
  });
});
