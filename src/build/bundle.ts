/**
 * The second half of `npm run build`: bundles tsc's output for the two programs whose start
 * time users feel, the server (a client waits for it at every connection) and the query
 * worker (a killed worker's replacement delays the next query), then serves one session from
 * the server to save its V8 code cache. Loading hundreds of small modules costs more than the
 * code they hold; one minified file per program avoids that. tsc's dist/ stays as it is:
 * tests, the bench and the tour import from it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { BUNDLE_URL, codeCachePath } from './run-bundle.js';
import { warmUpCodeCache } from './warm-up.js';

const dist = fileURLToPath(new URL('../', import.meta.url));
const outdir = `${dist}bundle`;

/**
 * zod's namespace object re-exports every message locale it has, about a third of the server
 * bundle, which V8 would parse at each start. Only English is used (zod installs it itself);
 * the other names stay, as functions that say why they are missing if ever called.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, ({ path }) => {
      const names = [...readFileSync(path, 'utf8').matchAll(/default as (\w+)/g)]
        .map((match) => match[1])
        .filter((name) => name !== 'en');
      const contents = [
        "export { default as en } from './en.js';",
        "const leftOut = () => { throw new Error('tenant-mcp bundles only the en zod locale'); };",
        `export { ${names.map((name) => `leftOut as ${name}`).join(', ')} };`,
      ].join('\n');
      return { contents, resolveDir: dirname(path) };
    });
  },
};

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Names are kept: a logged stack trace must stay readable, and the code cache makes the
  // longer source cost nothing measurable at start.
  minifyWhitespace: true,
  minifySyntax: true,
  // A native module: it loads its compiled binding relative to its own package.
  external: ['better-sqlite3'],
  plugins: [zodEnglishOnly],
  logLevel: 'warning',
};

// Old bundles and their caches must not outlive a build.
rmSync(outdir, { recursive: true, force: true });

// A CommonJS script, so that run-bundle.ts can hand V8 its code cache. Commands imported
// lazily stay lazy: esbuild defers running a dynamically imported module until it is asked.
const server = `${outdir}/tenant-mcp.cjs`;
await build({
  ...common,
  entryPoints: [`${dist}cli/main.js`],
  outfile: server,
  format: 'cjs',
  // The pool finds its worker beside its own file: ./worker.js, in dist/query/ and here.
  define: { 'import.meta.url': BUNDLE_URL },
});

await build({
  ...common,
  entryPoints: [`${dist}query/worker.js`],
  outfile: `${outdir}/worker.js`,
  format: 'esm',
  // Bundled CommonJS dependencies call require(), which an ES module does not have.
  banner: {
    js:
      "import { createRequire as __cjsRequire } from 'node:module'; " +
      'const require = __cjsRequire(import.meta.url);',
  },
});

await warmUpCodeCache(fileURLToPath(new URL('../../', import.meta.url)));
if (!existsSync(codeCachePath(server))) throw new Error('the warm-up run saved no code cache');
