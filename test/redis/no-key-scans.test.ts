import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every source file of the service (not the tests or tools). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
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
