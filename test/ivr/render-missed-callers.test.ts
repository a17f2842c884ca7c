import { describe, expect, it } from 'vitest';
import { createAgentTwimlRenderer } from '../../src/ivr/render-agent-twiml.js';
import { loadPromptCatalogue } from '../../src/ivr/prompt-catalogue.js';
import { DIGIT_TIMEOUT_SECONDS } from '../../src/ivr/twiml-response.js';
import type { MissedSummary } from '../../src/oncall/agent-decisions.js';
import { loadPolicy } from '../../src/policy/load-policy.js';

const render = createAgentTwimlRenderer({
  policy: loadPolicy(undefined),
  catalogue: loadPromptCatalogue('en-GB'),
  baseUrl: 'https://callgate.example.com',
  supportNumber: '+442071234567',
});
const SAY = '<Say voice="Polly.Amy" language="en-GB">';
const ACTION = 'https://callgate.example.com/twilio/agent-missed?sysadmin=sam&amp;index=0&amp;about=CA0123';
const GATHER = `<Gather input="dtmf" numDigits="1" timeout="${String(DIGIT_TIMEOUT_SECONDS)}" action="${ACTION}" method="POST" actionOnEmptyResult="true">`;

const missedCaller = (callBack: MissedSummary['callBack'], heldBack = 0) =>
  render({
    kind: 'agent_missed',
    sysadminId: 'sam',
    index: 0,
    count: 2,
    heldBack,
    play: false,
    missed: { callSid: 'CA0123', accountName: 'Acme Hosting', userName: 'Ada Lovelace', agoSeconds: 30, recordingUrl: null, callBack },
  });

describe('the missed-callers menu, as TwiML', () => {
  it('when the number may be called back, then it is read out digit by digit before the choices that offer 1', () => {
    expect(missedCaller({ kind: 'callable', number: '+442079460018', groups: ['+44', '20', '7946', '0018'] })).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response>${GATHER}` +
        `${SAY}Missed callers to call back: 2.</Say>` +
        `${SAY}Acme Hosting, Ada Lovelace, less than a minute ago; no message.</Say>` +
        `${SAY}Their number is plus 4 4, 2 0, 7 9 4 6, 0 0 1 8.</Say>` +
        `${SAY}Press 1 to call them back, 2 for the next missed caller, 3 to hear their message, or 9 to hear who is waiting.</Say>` +
        `</Gather></Response>`,
    );
  });

  it('when the caller withheld their number, then the sysadmin hears so, no number, and no 1 to call back', () => {
    expect(missedCaller({ kind: 'refused', reason: 'withheld' }, 17)).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response>${GATHER}` +
        `${SAY}Missed callers to call back: 2.</Say>` +
        `${SAY}17 later missed calls from the same accounts come after these.</Say>` +
        `${SAY}Acme Hosting, Ada Lovelace, less than a minute ago; no message.</Say>` +
        `${SAY}Number withheld; cannot be called back.</Say>` +
        `${SAY}Press 2 for the next missed caller, 3 to hear their message, or 9 to hear who is waiting.</Say>` +
        `</Gather></Response>`,
    );
  });
});
