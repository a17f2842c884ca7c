import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import twilio from 'twilio';
import type { Decision } from '../../src/calls/decisions.js';
import { loadPromptCatalogue, TWIML_DIR, type PromptCatalogue } from '../../src/ivr/prompt-catalogue.js';
import { createTwimlRenderer } from '../../src/ivr/render-twiml.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { loadPolicy, parsePolicy } from '../../src/policy/load-policy.js';
import type { Policy } from '../../src/policy/policy-schema.js';

const policy = loadPolicy(undefined);
const catalogue = loadPromptCatalogue('en-GB');
const twiml = createTwimlRenderer({ policy, catalogue, baseUrl: 'https://callgate.example.com' });

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

// The hold document is what Twilio fetches again and again while a caller waits
// (https://www.twilio.com/docs/voice/twiml/enqueue#attributes-wait-url: the waitUrl document is
// fetched again each time it ends), each caller told their own place in line.
describe('the hold document, for every place in line', () => {
  const { VoiceResponse } = twilio.twiml;
  type Hold = Extract<Decision, { kind: 'hold' }>;

  /** The hold document exactly as the twilio package's builder makes it, written out here on its own. */
  function builtByTwilio(holdPolicy: Policy, prompts: PromptCatalogue, hold: Hold): string {
    const response = new VoiceResponse();
    const voice = { voice: holdPolicy.voice.voice, language: holdPolicy.voice.language } as Parameters<InstanceType<typeof VoiceResponse>['say']>[0];
    if (hold.position !== null) response.say(voice, prompts.prompt('queuePosition', { position: hold.position }));
    if (hold.music && holdPolicy.queue.holdMusicUrl !== undefined) {
      response.play(holdPolicy.queue.holdMusicUrl);
    } else {
      response.pause({ length: hold.pauseSeconds });
      response.say(voice, prompts.prompt('stillHolding'));
    }
    return response.toString();
  }

  const withMusic = (holdMusicUrl: string) => parsePolicy({ ...DEFAULT_POLICY, queue: { maxWaitSeconds: 600, holdMusicUrl, holdMusicSeconds: 40 } });
  // A translation may say the place twice, next to text the XML must escape.
  const twiceDir = mkdtempSync(join(tmpdir(), 'callgate-prompts-'));
  mkdirSync(join(twiceDir, 'prompts'));
  const english = JSON.parse(readFileSync(new URL('prompts/en-GB.json', TWIML_DIR), 'utf8')) as { prompts: Record<string, string> };
  english.prompts.queuePosition = 'Number {position} & <then> {position}.\rPlease hold.';
  writeFileSync(join(twiceDir, 'prompts', 'en-GB.json'), JSON.stringify(english));
  const saysTwice = loadPromptCatalogue('en-GB', pathToFileURL(`${twiceDir}/`));

  const lines = [
    { line: 'the default policy', policy, catalogue },
    { line: 'hold music', policy: withMusic('https://cdn.example.com/hold.mp3?track=1&loop=0'), catalogue },
    { line: "hold music whose URL holds the template's mark", policy: withMusic('https://cdn.example.com/CallgatePositionMark.mp3'), catalogue },
    { line: 'a prompt saying the place twice', policy: withMusic('https://cdn.example.com/hold.mp3'), catalogue: saysTwice },
  ].map((line) => ({ ...line, twiml: createTwimlRenderer({ ...line, baseUrl: 'https://callgate.example.com' }) }));

  const holds = fc.record({
    kind: fc.constant('hold' as const),
    position: fc.oneof(fc.constant(null), fc.nat({ max: 20_000 }), fc.integer(), fc.double()),
    pauseSeconds: fc.oneof(fc.integer({ min: 1, max: 15 }), fc.constantFrom(25, 60), fc.double({ min: 0, max: 60 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)),
    music: fc.boolean(),
  });

  for (const { line, policy: holdPolicy, catalogue: prompts, twiml: renderer } of lines) {
    it(`with ${line}: byte for byte what the twilio builder makes, for any place, pause and music`, () => {
      fc.assert(
        fc.property(holds, (hold) => {
          expect(renderer.render(hold)).toBe(builtByTwilio(holdPolicy, prompts, hold));
        }),
        { numRuns: 2_000 },
      );
    });
  }

  it('for each of 10,000 callers in line, with and without music, the same bytes as the twilio builder makes', () => {
    const musicPolicy = withMusic('https://cdn.example.com/hold.mp3');
    const renderer = createTwimlRenderer({ policy: musicPolicy, catalogue, baseUrl: 'https://callgate.example.com' });
    for (let position = 1; position <= 10_000; position += 1) {
      for (const hold of [
        { kind: 'hold', position, pauseSeconds: 15, music: false },
        { kind: 'hold', position, pauseSeconds: 15, music: true },
      ] as const) {
        const built = builtByTwilio(musicPolicy, catalogue, hold);
        if (renderer.render(hold) !== built) expect(renderer.render(hold)).toBe(built);
      }
    }
  });

  it('with 10,000 callers in line, fetching the hold document builds no XML per caller, and the PIN prompt stays cached', () => {
    const renderer = createTwimlRenderer({ policy, catalogue, baseUrl: 'https://callgate.example.com' });
    const askPin = { kind: 'ask_pin', attempt: 2, retry: true } as const;
    renderer.render(askPin);
    const builds = vi.spyOn(VoiceResponse.prototype, 'toString');
    try {
      for (let fetch = 0; fetch < 3; fetch += 1) {
        for (let position = 1; position <= 10_000; position += 1) renderer.render({ kind: 'hold', position, pauseSeconds: 15, music: false });
      }
      renderer.render(askPin);
      // One template for the queue's pause, whatever the place: not one document per caller per fetch.
      expect(builds.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      builds.mockRestore();
    }
  });
});
