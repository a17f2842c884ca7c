import { readFile } from 'node:fs/promises';
import { Router, type Response } from 'express';

/**
 * Serves the on-call console: three static files. `npm run build` bundles the page into
 * dist/console/page/ (tools/build-console.ts) beside this module's compiled form; run from the TypeScript sources
 * (tests, `npm run dev`, the demo), the page is bundled in memory on first request instead,
 * so it is never stale. Either way it is the same relative folder, `./page/`.
 */
const PAGE_DIR = new URL('./page/', import.meta.url);
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * Only this origin's own script and style, no inline code, no frames, no form posts: a name
 * that slipped HTML into the page could not run, and the key cannot be sent anywhere else.
 */
export const CONSOLE_CSP = [
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

interface Asset {
  type: string;
  body: string;
}

async function bundleFromSource(): Promise<string> {
  // esbuild is a dev dependency: loaded only when running from the sources, never in the image.
  const { bundlePage } = await import('./bundle-page.js');
  return bundlePage();
}

async function loadAssets(): Promise<Map<string, Asset>> {
  const [html, css, js] = await Promise.all([
    readFile(new URL('index.html', PAGE_DIR), 'utf8'),
    readFile(new URL('console.css', PAGE_DIR), 'utf8'),
    FROM_SOURCE ? bundleFromSource() : readFile(new URL('console.js', PAGE_DIR), 'utf8'),
  ]);
  return new Map([
    ['/', { type: 'text/html; charset=utf-8', body: html }],
    ['/console.css', { type: 'text/css; charset=utf-8', body: css }],
    ['/console.js', { type: 'text/javascript; charset=utf-8', body: js }],
  ]);
}

function secure(res: Response): Response {
  return res
    .set('Content-Security-Policy', CONSOLE_CSP)
    .set('X-Content-Type-Options', 'nosniff')
    .set('Referrer-Policy', 'no-referrer')
    .set('Cross-Origin-Opener-Policy', 'same-origin')
    .set('Cache-Control', 'no-cache');
}

/** The console's files at `/console/`; the data comes from `/v1/ops/...` with the operator's key. */
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
    secure(res).type(asset.type).send(asset.body);
  });
  return router;
}
