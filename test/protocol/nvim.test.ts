// A real third-party client: headless Neovim opens an example, receives the diagnostics and a
// hover from the bundled server (test/nvim/check.lua). Skipped, saying so, without nvim.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './client';

function nvimVersion(): string | undefined {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
}

describe('Neovim as the LSP client', function () {
  this.timeout(60000);
  const version = nvimVersion();

  it('receives the diagnostics and a hover', function () {
    if (!version) {
      console.log('    (skipped: nvim is not installed; `apt-get install -y neovim` to run it)');
      this.skip();
    }
    const r = spawnSync(
      'nvim',
      ['--headless', '--clean', '-c', `luafile ${path.join(ROOT, 'test', 'nvim', 'check.lua')}`],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, IRQTOPO_ROOT: ROOT },
        timeout: 50000,
      },
    );
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, `${version}:\n${out}`);
    assert.match(out, /diagnostic \d+:\d+ ims-parent-pci-msi/);
    assert.match(out, /hover: .*Parent chain: IR-0 → VECTOR/);
    assert.match(out, /^OK$/m);
  });
});
