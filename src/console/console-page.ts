import { readFile } from 'node:fs/promises';
import { Router } from 'express';

// The page's three files sit in `./page/`: bundled there by `npm run build`, or in memory on the first
// request when callgate runs from its TypeScript sources (tests, `npm run dev`), so it is never stale.
const PAGE_DIR = new URL('./page/', import.meta.url);
const FROM_SOURCE = import.meta.url.endsWith('.ts');

// No inline code, frames or form posts: a name that slipped HTML into the page could not run,
// and the key cannot be sent anywhere else.
const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // A missed caller's message, fetched with the operator's key and played from memory.
  'media-src blob:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

type Asset = { type: string; body: string };

async function loadAssets(): Promise<Map<string, Asset>> {
  const [html, css, js] = await Promise.all([
    readFile(new URL('index.html', PAGE_DIR), 'utf8'),
    readFile(new URL('console.css', PAGE_DIR), 'utf8'),
    // esbuild is a dev dependency: imported only from the sources, never in the image.
    FROM_SOURCE
      ? import('./bundle-page.js').then((m) => m.bundlePage())
      : readFile(new URL('console.js', PAGE_DIR), 'utf8'),
  ]);
  return new Map([
    ['/', { type: 'text/html; charset=utf-8', body: html }],
    ['/console.css', { type: 'text/css; charset=utf-8', body: css }],
    ['/console.js', { type: 'text/javascript; charset=utf-8', body: js }],
  ]);
}

const HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

export function consolePage(): Router {
  const router = Router();
  let assets: Promise<Map<string, Asset>> | undefined;
  router.get(['/', '/console.js', '/console.css'], async (req, res) => {
    // `/console` without the slash: the page's relative links need the folder form.
    if (req.originalUrl === '/console') {
      res.redirect(301, '/console/');
      return;
    }
    assets ??= loadAssets().catch((error: unknown) => {
      assets = undefined;
      throw error;
    });
    const asset = (await assets).get(req.path);
    if (asset === undefined) throw new Error(`console asset ${req.path} missing`);
    res.set(HEADERS).type(asset.type).send(asset.body);
  });
  return router;
}
