// Issue 13 at the command line: what the CLI reads when a pull request controls the files it is
// given, and outputs sized by the input. `npm run hostile` times every hostile input of the issue
// through the CLI; these check the answers.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../core/helpers';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const SECRET = 'PRIVATE-KEY-0c93d1';

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, signal: r.signal, out: r.stdout ?? '', err: r.stderr ?? '' };
}

describe('irqtopo and hostile files (issue 13)', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} does not exist (npm run build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-cli-hostile-'));
    fs.writeFileSync(path.join(dir, 'id_ed25519'), `-----BEGIN KEY-----\n${SECRET}\n-----END KEY-----\n`);
    fs.symlinkSync(path.join(dir, 'id_ed25519'), path.join(dir, 'evil.irqtopo'));
    fs.symlinkSync(path.join(dir, 'id_ed25519'), path.join(dir, 'evil'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a link to a file not named *.irqtopo is not read, even named on the command line', () => {
    for (const name of ['evil.irqtopo', 'evil'])
      for (const format of ['text', 'json', 'sarif']) {
        const r = cli(dir, 'check', '--format', format, name);
        assert.equal(r.status, 2, `${format}: ${r.out}${r.err}`);
        assert.ok(!`${r.out}${r.err}`.includes(SECRET), `${format}: the key leaks`);
        assert.ok(r.err.includes(`${name}: is a link to a file not named *.irqtopo: not read`), r.err);
      }
  });

  it('a file named on the command line by its own name is read (the user chose it)', () => {
    fs.writeFileSync(path.join(dir, 'topology.txt'), 'arch x86\ncpus 0-3\ndomain VECTOR : vector\n');
    const r = cli(dir, 'check', 'topology.txt');
    assert.equal(r.status, 0, r.out + r.err);
  });

  it('routes of 131,072 interrupts: the whole table, no "Maximum call stack size exceeded"', () => {
    const f = path.join(dir, 'many.irqtopo');
    fs.writeFileSync(
      f,
      'arch x86\ncpus 0-8191\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 8 }\n' +
        [0, 1].map((i) => `irq d.q${i}[0..65535] : virtual\n`).join(''),
    );
    const r = cli(dir, 'routes', 'many.irqtopo');
    assert.equal(r.signal, null);
    assert.doesNotMatch(r.err, /internal error|Maximum call stack/);
    // (one row per interrupt: 131,072 rows, more than a call takes arguments)
    assert.equal(r.out.split('\n').filter((l) => /^d\.q\d\[\d+\]/.test(l)).length, 131_072);
  });
});
