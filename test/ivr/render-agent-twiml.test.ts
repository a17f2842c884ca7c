import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SyntaxValidator } from 'fast-xml-validator';
import { createAgentTwimlRenderer } from '../../src/ivr/render-agent-twiml.js';
import { loadPromptCatalogue } from '../../src/ivr/prompt-catalogue.js';
import { loadPolicy } from '../../src/policy/load-policy.js';

const policy = loadPolicy(undefined);
const render = createAgentTwimlRenderer({ policy, catalogue: loadPromptCatalogue('en-GB'), baseUrl: 'https://callgate.example.com', supportNumber: '+442071234567' });
const briefing = (accountName: string, userName: string) =>
  render({
    kind: 'agent_briefing',
    sysadminId: 'sam',
    about: 'CA0123',
    briefing: { accountName, userName, isAdminContact: false, adminContactName: userName, tier: 'standard', waitSeconds: 90, othersWaiting: 0 },
  });

describe('rendering what a sysadmin hears', () => {
  it('when a stored name holds a control character, then the briefing is still spoken, with a space in its place', () => {
    expect(briefing('Evil\u000bCorp', 'Mallory\u0000')).toContain('Emergency support call for Evil Corp. The caller is Mallory,');
  });

  it('when names are any string at all, then the briefing is well-formed TwiML (nothing stored can stop the line)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (account, user) => {
        expect(SyntaxValidator.validate(briefing(account, user))).toBe(true);
      }),
    );
  });
});
