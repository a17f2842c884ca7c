import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { bundlePage } from '../src/console/bundle-page.js';

/**
 * `npm run build`'s second step: the on-call console's files, beside the compiled server,
 * in dist/console/page/ (where src/console/console-page.ts serves them from in production).
 */
const source = new URL('../src/console/page/', import.meta.url);
const target = new URL('../dist/console/page/', import.meta.url);

await mkdir(target, { recursive: true });
await writeFile(new URL('console.js', target), await bundlePage());
await Promise.all(['index.html', 'console.css'].map((file) => copyFile(new URL(file, source), new URL(file, target))));
process.stdout.write(`console built into ${target.pathname}\n`);
