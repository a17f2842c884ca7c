import { afterAll, expect } from 'vitest';
import { leakedSecrets } from '../helpers/leak-watch.js';

// Runs after every test file: no PIN or API key that the file saw may be in any log line it produced.
afterAll(() => {
  expect(leakedSecrets()).toEqual([]);
});
