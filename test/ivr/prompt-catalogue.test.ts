import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPromptCatalogue, TWIML_DIR } from '../../src/ivr/prompt-catalogue.js';

/** A copy of twiml/ with the English catalogue changed by `edit`. */
function catalogueDir(edit: (catalogue: { prompts: Record<string, string>; phrases: Record<string, string> }) => void): URL {
  const dir = mkdtempSync(join(tmpdir(), 'twiml-'));
  cpSync(TWIML_DIR, dir, { recursive: true });
  const file = join(dir, 'prompts', 'en-GB.json');
  const catalogue = JSON.parse(readFileSync(file, 'utf8')) as { prompts: Record<string, string>; phrases: Record<string, string> };
  edit(catalogue);
  writeFileSync(file, JSON.stringify(catalogue));
  return pathToFileURL(`${dir}/`);
}

describe('the prompt catalogue', () => {
  it('when the shipped English catalogue is loaded, then placeholders are filled', () => {
    const catalogue = loadPromptCatalogue('en-GB');
    expect(catalogue.prompt('connecting', { name: 'Ada' })).toBe('Thank you, Ada. Connecting you to our on-call engineers.');
  });

  it('when a prompt drops a placeholder, then loading fails naming the prompt', () => {
    const dir = catalogueDir((c) => {
      c.prompts.connecting = 'Thank you. Connecting you now.';
    });
    expect(() => loadPromptCatalogue('en-GB', dir)).toThrow(/prompts\.connecting: must use exactly the placeholders \{name\}/);
  });

  it('when a prompt invents a placeholder, then loading fails', () => {
    const dir = catalogueDir((c) => {
      c.prompts.enterPin = 'Welcome, {name}.';
    });
    expect(() => loadPromptCatalogue('en-GB', dir)).toThrow(/prompts\.enterPin/);
  });

  it('when a prompt is missing, then loading fails naming it', () => {
    const dir = catalogueDir((c) => {
      delete c.prompts.apology;
    });
    expect(() => loadPromptCatalogue('en-GB', dir)).toThrow(/prompts\.apology/);
  });

  it('when the policy asks for a language without a catalogue, then loading fails naming the file', () => {
    expect(() => loadPromptCatalogue('xx-XX')).toThrow(/prompts\/xx-XX\.json/);
  });
});
