import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every source file of the service (not the tests or tools, nor src/cli/: commands an operator runs
 * by hand, such as the directory's one-off migration, which must find an earlier version's keys).
 */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? join(dir, entry.name) === join('src', 'cli')
        ? []
        : sources(join(dir, entry.name))
      : entry.name.endsWith('.ts') || entry.name.endsWith('.lua')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('Redis commands whose cost grows with the number of keys', () => {
  it('when any service code (TypeScript or Lua) talks to Redis, then it never uses KEYS or SCAN', () => {
    const offenders = sources('src').flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${file}:${String(i + 1)}`, line }))
        .filter(({ line }) => /\bredis\.(keys|scan|scanStream|sscan|hscan|zscan)\(|['"](KEYS|SCAN)['"]/i.test(line)),
    );
    expect(offenders).toEqual([]);
  });
});
