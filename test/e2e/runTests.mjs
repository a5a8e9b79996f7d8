// Runs the extension tests (test/e2e/suite, compiled to out/test/e2e/suite) with @vscode/test-electron's
// runTests. Where no VS Code desktop can be downloaded (these machines), vscodeExecutablePath is
// test/e2e/vscode-shim.mjs, which runs the same suite inside code-server. With IRQTOPO_E2E_DESKTOP=1 the
// shim is left out and runTests downloads and uses a real VS Code desktop, unchanged.
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');

async function main() {
  const extensionTestsPath = join(repo, 'out', 'test', 'e2e', 'suite', 'index.js');
  const state = mkdtempSync(join(tmpdir(), 'irqtopo-runtests-'));
  // a copy of the examples as the workspace: the tests may edit files there
  const workspace = join(state, 'workspace');
  cpSync(join(repo, 'examples'), workspace, { recursive: true });
  const desktop = process.env.IRQTOPO_E2E_DESKTOP === '1';
  try {
    await runTests({
      ...(desktop ? {} : { vscodeExecutablePath: join(here, 'vscode-shim.mjs') }),
      version: '1.100.3',
      extensionDevelopmentPath: repo,
      extensionTestsPath,
      extensionTestsEnv: { IRQTOPO_E2E_GREP: process.env.IRQTOPO_E2E_GREP ?? '' },
      launchArgs: [
        workspace,
        '--disable-extensions', // other installed extensions stay out of the way
        `--user-data-dir=${join(state, 'user-data')}`,
        `--extensions-dir=${join(state, 'extensions')}`,
      ],
    });
    return 0;
  } catch (e) {
    console.error(`[runTests] ${e?.message ?? e}`);
    return 1;
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

process.exit(await main());
