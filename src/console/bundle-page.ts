import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * Bundles the console's browser code (src/console/page/main.ts) into one ES module with
 * esbuild: plain TypeScript modules in, one file out, no framework and no runtime
 * dependency. Used by `npm run build` (tools/build-console.ts) and, when callgate runs from
 * its sources, on the console's first request. esbuild is a dev dependency: the image
 * carries only the bundle.
 */
const ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));

/**
 * The page shares zod schemas with the server (the same validation messages as the API);
 * zod's index re-exports forty translations it never uses here (it registers English itself).
 */
const withoutZodLocales: Plugin = {
  name: 'without-zod-locales',
  setup(build) {
    build.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      args.importer.includes('/zod/') ? { path: 'zod-locales', namespace: 'unused' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'unused' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
    plugins: [withoutZodLocales],
  });
  const [bundle] = result.outputFiles;
  if (bundle === undefined) throw new Error('esbuild produced no console bundle');
  return bundle.text;
}
