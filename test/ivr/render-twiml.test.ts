import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHoursSpeech } from '../../src/ivr/speak-hours.js';
import { loadPromptCatalogue } from '../../src/ivr/prompt-catalogue.js';
import { createTwimlRenderer } from '../../src/ivr/render-twiml.js';
import { loadPolicy } from '../../src/policy/load-policy.js';

const policy = loadPolicy(undefined);
const catalogue = loadPromptCatalogue('en-GB');
const twiml = createTwimlRenderer({ policy, catalogue, speech: createHoursSpeech(policy, catalogue), baseUrl: 'https://callgate.example.com' });

describe('the answer that puts a verified caller through', () => {
  it('is the TwiML the twilio package builds, filled in from a template, for any name and queue', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (name, queue) => {
        const decision = { kind: 'enqueue', name, queue } as const;
        const built = (() => {
          try {
            return twiml.build(decision);
          } catch {
            return 'the builder refused';
          }
        })();
        expect(twiml.render(decision)).toBe(built);
      }),
      { numRuns: 500 },
    );
  });

  it('when the name holds the template marks or XML, then they are spoken as text, not filled in again', () => {
    const answer = twiml.render({ kind: 'enqueue', name: 'CallgateQueueMark <b>&amp;', queue: 'cg-CA0123' });
    expect(answer).toContain('CallgateQueueMark &lt;b&gt;&amp;amp;');
    expect(answer).toContain('>cg-CA0123</Enqueue>');
    expect(answer).toBe(twiml.build({ kind: 'enqueue', name: 'CallgateQueueMark <b>&amp;', queue: 'cg-CA0123' }));
  });
});
