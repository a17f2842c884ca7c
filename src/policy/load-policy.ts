import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_POLICY } from './default-policy.js';
import { policySchema, type Policy } from './policy-schema.js';

export class PolicyError extends Error {
  constructor(source: string, problems: string[]) {
    super(`Invalid policy (${source}):\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

/** Validates a policy object; errors name the path of each bad field, e.g. `tiers.standard.hours.mon[0]`. */
export function parsePolicy(input: unknown, source = 'policy'): Policy {
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) {
    throw new PolicyError(
      source,
      parsed.error.issues.map((issue) => `${z.core.toDotPath(issue.path) || '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** The policy file at `path`, or the shipped default policy. */
export function loadPolicy(path: string | undefined): Policy {
  if (path === undefined) return parsePolicy(DEFAULT_POLICY, 'default policy');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PolicyError(path, [`cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(path, [`is not valid JSON: ${(error as Error).message}`]);
  }
  return parsePolicy(json, path);
}
