// Builds every entry point with esbuild, and transpiles the tests (esbuild does not type-check:
// `npm run typecheck` is the guard). Then brings the generated part of package.json (the irqtopo.rules
// entries, scripts/manifest.ts) in step with the rule table; with CI set it only checks, and fails.
//   node scripts/build.mjs [--production] [--watch]
// --production: minified bundles without source maps (what the .vsix and the npm package ship).
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCodicons } from './codicons.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'fixtures') walk(p, out);
    } else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

// dist/server.js and dist/extension.js each serve Node and the browser (vscode.dev): the 'browser'
// condition resolves the packages' `/browser` entries beside their `/node` ones (each of those exports
// only its own condition), and each entry loads only its own half (server/src/main.ts, client/src/main.ts)
const both = { conditions: ['browser', 'module'] };

const builds = [
  // the extension: package.json `main` and `browser`
  {
    ...common,
    ...both,
    entryPoints: ['client/src/main.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    target: ['node20', 'es2022'],
  },
  // the language server (the `irqtopo-language-server` bin, the extension's server under Node and its
  // web worker in the browser) and the command line (dist/cli.js, written below, calls its `cli()`): a
  // plain script (IIFE), as a worker loads it, that is `module.exports` under Node
  {
    ...common,
    ...both,
    entryPoints: ['server/src/main.ts'],
    outfile: 'dist/server.js',
    format: 'iife',
    globalName: 'irqtopoServer',
    target: ['node20', 'es2022'],
    banner: { js: '#!/usr/bin/env node' },
    footer: { js: 'if (typeof module === "object") module.exports = irqtopoServer;' },
  },
  // the diagram webview: a browser bundle, beside the codicons it loads (see below)
  {
    ...common,
    entryPoints: ['client/src/webview/main.ts'],
    outfile: 'dist/webview/main.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  // the layout worker: the tree layout, started by the page from a blob: URL
  {
    ...common,
    entryPoints: ['client/src/webview/worker.ts'],
    outfile: 'dist/webview/layout.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  // the fuzz campaign (`npm run fuzz`), bundled as the bench is; beside the tests, so that it finds the
  // repository (its examples, fixtures and dist/server.js) as they do
  {
    ...common,
    entryPoints: ['test/fuzz/campaign.ts'],
    outfile: 'out/test/fuzz/campaign-bundle.js',
  },
  // the benchmark runs bundled code, as the CLI and the server do (const enums inlined across files)
  {
    ...common,
    entryPoints: ['test/bench/bench.ts'],
    outfile: 'out/bench/bench.js',
    external: ['./*-bench.js'],
  },
];

rmSync('out', { recursive: true, force: true });
const tests = {
  entryPoints: [...walk('server/src'), ...walk('test'), ...walk('client/src'), ...walk('scripts')].filter(
    (p) => !p.includes('client/src/webview'),
  ),
  outdir: 'out',
  outbase: '.',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};

// the `irqtopo` bin and the extension's task: the command line in the server bundle beside it. (Before
// the bundles were merged, dist/browser/ held two more: gone, so that nothing tests a stale file.)
rmSync('dist/browser', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
writeFileSync(
  'dist/cli.js',
  "#!/usr/bin/env node\n// irqtopo: the command line, in the server bundle (server/src/main.ts)\nrequire('./server.js').cli();\n",
);

// the webview may load only dist/webview/ (localResourceRoots): it gets its own copy of the codicons,
// only those it uses (scripts/codicons.mjs)
mkdirSync('dist/webview', { recursive: true });
await writeCodicons(join('dist', 'webview'));

const existing = (b) =>
  b.entryPoints.every((e) => {
    try {
      statSync(e);
      return true;
    } catch {
      return false;
    }
  });
const all = [...builds.filter(existing), tests];
if (watch) {
  for (const b of all) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(all.map((b) => esbuild.build(b)));
  const require = createRequire(import.meta.url);
  const { syncManifest } = require('../out/scripts/manifest.js');
  const { RULES } = require('../out/server/src/core/index.js');
  const state = syncManifest(process.cwd(), RULES, Boolean(process.env.CI));
  if (state === 'written') console.log('package.json: the irqtopo.rules entries were regenerated from RULES');
  if (state === 'stale') {
    console.error(
      'package.json: the irqtopo.rules entries differ from RULES: run `npm run build` and commit it',
    );
    process.exit(1);
  }
}
