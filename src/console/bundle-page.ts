import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

// The page in one ES module, by `npm run build` or, run from the sources, on the first request.
const ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));

// The page shares the server's zod schemas; zod's index re-exports forty translations never used here.
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
