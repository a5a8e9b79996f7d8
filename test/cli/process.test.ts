// The bundled CLI (dist/cli.js) as a process, where the streams matter: the summary on its own line
// after the findings, a reader that goes away, an output that cannot be written.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../core/helpers';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const IMS_BAD = 'examples/ims-under-pci-msi.irqtopo';

/** Runs `bash -c SCRIPT` in the repository with $CLI set; returns status and both streams. */
function sh(script: string) {
  const r = spawnSync('bash', ['-c', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CLI },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  return { status: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

describe('irqtopo as a process', () => {
  before(() => assert.ok(fs.existsSync(CLI), `${CLI} does not exist (npm run build)`));

  it('prints the summary on its own line after the last finding, stdout and stderr on one terminal', () => {
    const r = sh(`node "$CLI" check ${IMS_BAD} 2>&1`);
    assert.equal(r.status, 1);
    assert.ok(r.out.endsWith('\n'), 'the output ends with a newline');
    const lines = r.out.split('\n').slice(0, -1);
    assert.equal(lines.at(-1), '1 file checked: 1 error, 0 warnings, 0 notes, 0 hints');
    assert.match(lines.at(-2)!, /^ {2}examples\/ims-under-pci-msi\.irqtopo:\d+:\d+: note: .*\)$/);
    assert.match(lines[0], /^examples\/ims-under-pci-msi\.irqtopo:\d+:\d+: error ims-parent-pci-msi: /);
  });

  it('exits 2 with one line, no stack trace, when the output cannot be written (> /dev/full)', function () {
    if (!fs.existsSync('/dev/full')) this.skip(); // Linux has it; the CI machines are Linux
    const full = fs.openSync('/dev/full', 'w');
    try {
      for (const args of [
        ['routes', 'examples/two-ir-units.irqtopo'],
        ['check', IMS_BAD, '--format', 'sarif'],
      ]) {
        const r = spawnSync(process.execPath, [CLI, ...args], {
          cwd: ROOT,
          encoding: 'utf8',
          stdio: ['ignore', full, 'pipe'],
          timeout: 30_000,
        });
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        const err = r.stderr.split('\n').filter((l) => l.startsWith('irqtopo:'));
        assert.deepEqual(err, ['irqtopo: cannot write the output: no space left on device (ENOSPC)']);
        assert.doesNotMatch(r.stderr, /\bat \S+ \(|node:internal/, 'no stack trace');
      }
    } finally {
      fs.closeSync(full);
    }
  });

  it('exits quietly with its own status when the reader goes away (| head -1)', () => {
    const r = sh(`node "$CLI" routes examples/two-ir-units.irqtopo | head -1; echo "exit \${PIPESTATUS[0]}"`);
    assert.match(r.out, /^INTERRUPT\s+CPU.*\nexit 0\n$/);
    assert.doesNotMatch(r.err, /EPIPE|Error/);
  });
});
