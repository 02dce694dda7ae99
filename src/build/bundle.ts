/**
 * The second half of `npm run build`: bundles tsc's output for the two programs whose start
 * time users feel, the server (a client waits for it at every connection) and the query
 * worker (a killed worker's replacement delays the next query). Loading hundreds of small
 * modules costs more than the code they hold; one minified file per program avoids that.
 * tsc's dist/ stays as it is: tests, the bench and the tour import from it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

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

// Hashed chunk names change with their content: old ones must not pile up.
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: {
    'tenant-mcp': `${dist}cli/main.js`,
    // The pool finds its worker as ./worker.js beside its own module, in dist/query/ and here.
    worker: `${dist}query/worker.js`,
  },
  outdir,
  // Chunks stay beside the entries for the same reason; commands imported lazily stay lazy.
  chunkNames: '[name]-[hash]',
  splitting: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: true,
  // A native module: it loads its compiled binding relative to its own package.
  external: ['better-sqlite3'],
  // Bundled CommonJS dependencies call require(), which an ES module does not have.
  banner: {
    js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
  },
  plugins: [zodEnglishOnly],
  logLevel: 'warning',
});
