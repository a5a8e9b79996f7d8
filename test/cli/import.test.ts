// `irqtopo import`, run in-process: files, a debugfs-shaped folder, -o, exit codes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importCommand, nodeImportIO } from '../../server/src/cli/import';
import { importRequest, runImport as serverImport } from '../../server/src/lsp/import';
import { parse } from '../../server/src/core';
import { fixture } from '../core/helpers';

/** Runs `irqtopo import ARGS --v1` (the v1 output the current parser reads; the lead drops --v1 when the v2 parser lands). */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = await nodeImportIO({ out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  const code = await importCommand(args, io);
  return { code, out, err };
}

const dump = (f: string): string => fixture('dumps', f);

describe('irqtopo import', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-import-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('imports a file to standard output, problems to standard error, exit 0', async () => {
    const r = await run([dump('local-vm-2cpu_proc-interrupts.txt')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^arch x86$/m);
    assert.match(r.out, /^irq virtio1\.req_0 : msix 1 \{ counts 0 66345 \}$/m);
    assert.deepEqual(parse(r.out).errors, []);
  });

  it('reads a folder laid out like /sys/kernel/debug/irq (irqs/<n>, domains/<name>) and writes -o OUT', async () => {
    const root = path.join(tmp, 'irq');
    fs.mkdirSync(path.join(root, 'irqs'), { recursive: true });
    fs.mkdirSync(path.join(root, 'domains'), { recursive: true });
    // the files as the kernel writes them: without the author's `cat` prompt line
    const body = (f: string) => fs.readFileSync(dump(f), 'utf8').split('\n').slice(1).join('\n');
    fs.writeFileSync(
      path.join(root, 'irqs', '58'),
      body('x86-qemu-vm-no-IR_debugfs-irqs-58_PCI-MSIX_martins3.txt'),
    );
    fs.writeFileSync(
      path.join(root, 'irqs', '0'),
      body('x86-qemu-vm-8cpu-no-IR_debugfs-irqs-0_IO-APIC_martins3.txt'),
    );
    const out = path.join(tmp, 'vm.irqtopo');
    const r = await run([root, '-o', out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '');
    const text = fs.readFileSync(out, 'utf8');
    assert.deepEqual(parse(text).errors, []);
    // irqs/58: MSI-X index 8 of 0000:00:0b.0, managed, Vector 34 on CPU 7; irqs/0: pin 2, vector 48 on CPU 0
    assert.match(text, /^irq pci-0000-00-0b-0\.msix8 : msix 8 \{ affinity 7; managed; cpu 7; vector 34 \}$/m);
    assert.match(text, /^irq ioapic-pins\.pin2 : pin 2 \{ cpu 0; vector 48 \}$/m);
  });

  it('exits 1 when an input is in no known format, 2 on usage and I/O errors', async () => {
    const junk = path.join(tmp, 'notes.txt');
    fs.writeFileSync(junk, 'hello\nworld\n');
    const r = await run([junk]);
    assert.equal(r.code, 1);
    assert.match(r.err, /notes\.txt:1:1: error: not a known dump format/);
    assert.equal((await run(['--bogus'])).code, 2);
    assert.equal((await run(['-o'])).code, 2);
    assert.equal((await run(['--kernel', 'six'])).code, 2);
    assert.equal((await run(['--kernel='])).code, 2);
    const missing = await run([path.join(tmp, 'no-such-file')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no-such-file/);
  });

  it('takes --kernel=X.Y as --kernel X.Y (one argument parser for every command)', async () => {
    const a = await run([dump('local-vm-2cpu_proc-interrupts.txt'), '--kernel=6.8', '--arch=x86']);
    const b = await run([dump('local-vm-2cpu_proc-interrupts.txt'), '--kernel', '6.8', '--arch', 'x86']);
    assert.equal(a.code, 0, a.err);
    assert.match(a.out, /^kernel 6\.8\b/m);
    assert.equal(a.out, b.out);
  });

  const procReadable = fs.existsSync('/proc/interrupts');
  it(`with no argument imports this machine${procReadable ? '' : ' (skipped: no /proc/interrupts here)'}`, async function () {
    if (!procReadable) this.skip();
    const r = await run([]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(parse(r.out).errors, []);
    assert.match(r.out, /^cpus /m);
    if (fs.existsSync('/proc/sys/kernel/osrelease')) {
      const rel = fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
      const mm = /^(\d+)\.(\d+)/.exec(rel)!;
      assert.match(r.out, new RegExp(`^kernel ${mm[1]}\\.${mm[2]} `, 'm'));
    }
  });

  it('the server request: validated parameters, the text, and the problems as data (file, line, column)', async () => {
    const why = (p: unknown): string => {
      const r = importRequest(p);
      return typeof r === 'string' ? r : 'accepted';
    };
    assert.match(why({ paths: ['relative.txt'] }), /not an absolute path/);
    assert.match(why({ paths: [], arch: 'mips' }), /arch must be/);
    assert.match(why(null), /must be an object/);
    assert.equal(why({ paths: ['/a'], kernel: '6.8', arch: 'x86', v2: false }), 'accepted');
    const bad = await serverImport({ paths: 'x' });
    assert.equal(bad.status, 2);
    assert.equal(bad.problems[0].severity, 'error');
    const text = fs.readFileSync(dump('local-vm-2cpu_proc-interrupts.txt'), 'utf8').split('\n');
    text.splice(5, 0, 'this line is not from the kernel');
    const f = path.join(tmp, 'with-junk.txt');
    fs.writeFileSync(f, text.join('\n'));
    const r = await serverImport({ paths: [f], v2: true });
    assert.equal(r.status, 0);
    assert.deepEqual(parse(r.text).errors, []);
    const p = r.problems.find((x) => x.line === 6);
    assert.deepEqual(p && { file: p.file, column: p.column, severity: p.severity }, {
      file: f,
      column: 1,
      severity: 'warning',
    });
    assert.ok(r.messages.includes(`${f}:6:1: warning: not understood: kept as a comment`));
  });
});
