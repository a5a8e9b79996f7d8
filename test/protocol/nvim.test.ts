// A real third-party client: headless Neovim, configured with the Lua block of docs/editors.md, opens an
// example and receives the diagnostics and a hover from the bundled server (test/nvim/check.lua); the
// config's `irqtopo-language-server` is a shim on PATH that runs dist/server.js.
//
// Without nvim this test fails (apt-get install -y neovim; .ci/run installs it), unless
// IRQTOPO_SKIP_NVIM=1 says to skip it, which it then says.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, SERVER } from './client';

function nvimVersion(): string | undefined {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
}

describe('Neovim as the LSP client', function () {
  this.timeout(60000);
  const version = nvimVersion();
  let bin: string;
  before(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-nvim-'));
    const shim = path.join(bin, 'irqtopo-language-server');
    fs.writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${SERVER}" "$@"\n`, { mode: 0o755 });
  });
  after(() => fs.rmSync(bin, { recursive: true, force: true }));

  it('follows docs/editors.md: diagnostics, its mappings and a hover', function () {
    if (!version) {
      if (process.env.IRQTOPO_SKIP_NVIM === '1') {
        console.log('    (skipped: nvim is not installed and IRQTOPO_SKIP_NVIM=1)');
        this.skip();
      }
      assert.fail('nvim is not installed: apt-get install -y neovim (or set IRQTOPO_SKIP_NVIM=1 to skip)');
    }
    const r = spawnSync(
      'nvim',
      ['--headless', '--clean', '-c', `luafile ${path.join(ROOT, 'test', 'nvim', 'check.lua')}`],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, IRQTOPO_ROOT: ROOT, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
        timeout: 50000,
      },
    );
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, `${version}:\n${out}`);
    assert.match(out, /diagnostic \d+:\d+ ims-parent-pci-msi/);
    assert.match(out, /^mappings: K gd gr, omnifunc v:lua\.vim\.lsp\.omnifunc$/m);
    assert.match(out, /hover: .*Parent chain: IR-0 → VECTOR/);
    assert.match(out, /^OK$/m);
  });
});
