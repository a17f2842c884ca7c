import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SyntaxValidator } from 'fast-xml-validator';
import { createAgentTwimlRenderer } from '../../src/ivr/render-agent-twiml.js';
import { loadPromptCatalogue } from '../../src/ivr/prompt-catalogue.js';
import { loadPolicy } from '../../src/policy/load-policy.js';

const policy = loadPolicy(undefined);
const render = createAgentTwimlRenderer({ policy, catalogue: loadPromptCatalogue('en-GB'), baseUrl: 'https://callgate.example.com', supportNumber: '+442071234567' });
type BriefingFacts = Parameters<typeof render>[0] & { kind: 'agent_briefing' };
const briefingOf = (facts: Partial<BriefingFacts['briefing']>) =>
  render({
    kind: 'agent_briefing',
    sysadminId: 'sam',
    about: 'CA0123',
    briefing: { accountName: 'Acme Hosting', userName: 'Ada Lovelace', isAdminContact: false, adminContactName: null, tier: 'standard', waitSeconds: 90, othersWaiting: 0, ...facts },
  });
const briefing = (accountName: string, userName: string) => briefingOf({ accountName, userName, adminContactName: userName });
/** The text of the <Say> that carries the briefing. */
const spokenBriefing = (twiml: string) => /<Say[^>]*>(Emergency support call[^<]*)<\/Say>/.exec(twiml)?.[1] ?? '';

describe('rendering what a sysadmin hears', () => {
  it('when a stored name holds a control character, then the briefing is still spoken, with a space in its place', () => {
    expect(briefing('Evil\u000bCorp', 'Mallory\u0000')).toContain('The account is named in the control panel as Evil Corp. The caller is named in the control panel as Mallory.');
  });

  it('when a caller who is not the admin contact is named "Ada Lovelace, the admin contact of the account", then the briefing says first, in its own sentence, that they are not', () => {
    const spoken = spokenBriefing(briefingOf({ userName: 'Ada Lovelace, the admin contact of the account', adminContactName: 'Grace Hopper' }));
    expect(spoken).toBe(
      'Emergency support call. The caller is not the admin contact of the account. The admin contact is named in the control panel as Grace Hopper. ' +
        'The account is named in the control panel as Acme Hosting. The caller is named in the control panel as Ada Lovelace, the admin contact of the account. ' +
        'Their plan is Standard. They have waited one minute. Nobody else is waiting.',
    );
    // The line's own words about the role come before any name a customer typed.
    expect(spoken.indexOf('The caller is not the admin contact')).toBeLessThan(spoken.indexOf('Ada Lovelace'));
  });

  it('when the caller is the admin contact, or the account has none, then that status is its own sentence before the names', () => {
    expect(spokenBriefing(briefingOf({ isAdminContact: true, adminContactName: 'Ada Lovelace' }))).toBe(
      'Emergency support call. The caller is the admin contact of the account. The account is named in the control panel as Acme Hosting. ' +
        'The caller is named in the control panel as Ada Lovelace. Their plan is Standard. They have waited one minute. Nobody else is waiting.',
    );
    expect(spokenBriefing(briefingOf({ adminContactName: null }))).toMatch(
      /^Emergency support call\. The caller is not the admin contact of the account, which has none\. The account is named in the control panel as Acme Hosting\./,
    );
  });

  it('when names are any string at all, then the status sentence is the same as with plain names: no name can make the briefing claim the role', () => {
    const status = (twiml: string) => spokenBriefing(twiml).split(' The account is named')[0];
    fc.assert(
      fc.property(fc.string(), fc.string(), (account, user) => {
        expect(status(briefingOf({ accountName: account, userName: user }))).toBe('Emergency support call. The caller is not the admin contact of the account, which has none.');
      }),
    );
  });

  it('when names are any string at all, then the briefing is well-formed TwiML (nothing stored can stop the line)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (account, user) => {
        expect(SyntaxValidator.validate(briefing(account, user))).toBe(true);
      }),
    );
  });
});
