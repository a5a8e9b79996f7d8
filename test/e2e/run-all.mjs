// npm run test:e2e: the real-VS-Code tests, from nothing to screenshots.
//   1. test/e2e/install.sh   Debian chromium/ripgrep/libkrb5-dev, code-server 4.100.3 into a cache folder
//                            outside the repo (${IRQTOPO_E2E_CACHE:-~/.cache/irqtopo-e2e}); quick when done
//   2-3. npm run package     the production build, then the .vsix a user installs (scripts/package-vsix.mjs)
//   4. runTests.mjs          the mocha extension tests through @vscode/test-electron's runTests
//   5. user-scenario.mjs     the workbench driven in Chromium, screenshots in test-results/
//   6. diagram-scenario.mjs  the diagram driven in Chromium (when present)
//   7. package-scenario.mjs  the .vsix's page (icon, README images), walkthrough and task, at 1600x1000;
//                            screenshots in test/e2e/artifacts/
//   8. route-scenario.mjs    route focus, the route box per file, the CPU list, a reload, rule links
//   9. scale-scenario.mjs    a 300-device server beside the editor at 1600x1000 (test/e2e/artifacts/)
//  10. verify-scenario.mjs   the verify report and "Take CPU N offline" on the D5 import at 1600x1000
//                            (test/e2e/artifacts/verify-*.png)
// Steps 4 to 10 all run even when one fails; the exit code is 1 if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const timings = [];

function run(name, cmd, args, { fatal = true } = {}) {
  process.stderr.write(`\n[test:e2e] === ${name}: ${cmd} ${args.join(' ')}\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  const ms = Date.now() - t0;
  const ok = r.status === 0;
  timings.push({ name, ms, ok });
  process.stderr.write(
    `[test:e2e] === ${name}: ${ok ? 'ok' : `FAILED (${r.status ?? r.signal})`} in ${ms} ms\n`,
  );
  if (!ok && fatal) finish(1);
  return ok;
}

function finish(code) {
  process.stderr.write('\n[test:e2e] summary\n');
  for (const t of timings) {
    process.stderr.write(
      `  ${t.ok ? 'ok    ' : 'FAILED'} ${t.name.padEnd(28)} ${(t.ms / 1000).toFixed(1)} s\n`,
    );
  }
  process.exit(code);
}

run('install', 'bash', [join(here, 'install.sh')]);
// `npm run package` runs the production build (vscode:prepublish) itself
run('package', 'npm', ['run', '--silent', 'package']);
const vsix = join(repo, `${pkg.name}-${pkg.version}.vsix`);
process.stderr.write(`[test:e2e] ${vsix}: ${statSync(vsix).size} bytes\n`);
const a = run('extension tests (runTests)', process.execPath, [join(here, 'runTests.mjs')], { fatal: false });
const b = run('user scenario', process.execPath, [join(here, 'user-scenario.mjs')], { fatal: false });
// the diagram as a user meets it (open, click a node, markup names render as text)
const c = existsSync(join(here, 'diagram-scenario.mjs'))
  ? run('diagram scenario', process.execPath, [join(here, 'diagram-scenario.mjs')], { fatal: false })
  : true;
const d = run('package scenario', process.execPath, [join(here, 'package-scenario.mjs')], { fatal: false });
// route focus: a range's element, per-document route box, CPU list, reload, rule links
const e = run('route scenario', process.execPath, [join(here, 'route-scenario.mjs')], { fatal: false });
// 300 devices beside the editor at 1600x1000: screenshots and text sizes in test/e2e/artifacts/
const f = run('scale scenario', process.execPath, [join(here, 'scale-scenario.mjs')], { fatal: false });
// the verify report and the CPU chart's "Take CPU N offline" on a real machine's import
const g = run('verify scenario', process.execPath, [join(here, 'verify-scenario.mjs')], { fatal: false });
finish(a && b && c && d && e && f && g ? 0 : 1);
