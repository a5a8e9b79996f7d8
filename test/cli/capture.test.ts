// `irqtopo capture` on this machine (Linux): capture, then import, and every interrupt's pinned CPU
// is what /proc/irq/N/effective_affinity_list says right then (read live here); the `--script`
// bundle run under sh imports to the same topology as the Node capture; the collector reads only
// regular files within its budget and gives the real reason /sys/kernel/debug/irq is missing.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { captureCommand } from '../../server/src/cli/capture';
import { nodeImportIO } from '../../server/src/cli/import';
import { analyze } from '../../server/src/core';
import { importDumps } from '../../server/src/core/importer';
import { captureMachine, formatBundle, readPaths } from '../../server/src/machine/collect';
import { runImport } from '../../server/src/machine/run';
import { captureScript } from '../../server/src/machine/script';
import { REASON } from '../../server/src/machine/sources';

const linux = process.platform === 'linux' && fs.existsSync('/proc/interrupts');

/** irq -> its single effective CPU, read now from /proc/irq/N/effective_affinity_list */
function liveEffective(): Map<number, number> {
  const out = new Map<number, number>();
  for (const n of fs.readdirSync('/proc/irq')) {
    if (!/^\d+$/.test(n)) continue;
    let t: string;
    try {
      t = fs.readFileSync(`/proc/irq/${n}/effective_affinity_list`, 'utf8').trim();
    } catch {
      continue;
    }
    if (/^\d+$/.test(t)) out.set(Number(n), Number(t));
  }
  return out;
}

/** The topology text without what moves between two reads of a live machine: the fire counts. */
function withoutCounts(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/; counts [\d ]+ \}$/, ' }').replace(/ \{ counts [\d ]+ \}$/, ''))
    .filter((l) => !/^# [A-Z]{3}: [\d ]+/.test(l) && !/^# most interrupts on CPU/.test(l))
    .join('\n');
}

describe('irqtopo capture (this machine)', function () {
  this.timeout(60_000);
  before(function () {
    if (!linux) this.skip();
  });

  it('capture then import: every interrupt pins the CPU /proc/irq/N/effective_affinity_list shows live', async () => {
    const cap = await captureMachine();
    const bundle = formatBundle(cap).text;
    const live = liveEffective();
    assert.ok(live.size > 0, 'this machine has interrupts with an effective CPU');
    const r = importDumps([{ name: 'capture.txt', text: bundle }]);
    const a = analyze('/virtual/this-machine.irqtopo', r.text);
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`),
      [],
    );
    const online = new Set(r.topology!.cpus);
    let compared = 0;
    for (const [irq, cpu] of live) {
      const i = r.topology!.irqs.find((x) => x.linuxIrq === irq);
      if (!i) {
        // not an irq statement (a per-CPU or domain-less interrupt): kept as a comment
        assert.ok(
          r.topology!.notModelled.some((s) => s.startsWith(`irq ${irq}:`)),
          `irq ${irq} is imported or kept`,
        );
        continue;
      }
      if (!online.has(cpu)) continue;
      assert.equal(i.cpu, cpu, `irq ${irq} (${i.device}.${i.name}): pinned ${i.cpu}, /proc says ${cpu}`);
      const src = i.observed.find((o) => o.field === 'cpu')!.src!;
      assert.equal(
        bundle.split('\n')[src.line - 1].trim(),
        String(cpu),
        'the pin cites the bundle line it was read from',
      );
      // and the simulation of the imported text puts it there
      const v = r.topology!.irqs.find((x) => x.linuxIrq === irq)!;
      const id = v.index === undefined ? `${v.device}.${v.name}` : `${v.device}.${v.name}[${v.index}]`;
      assert.equal(a.simulation?.routesById.get(id)?.cpu, cpu, `route of ${id}`);
      compared++;
    }
    assert.ok(compared > 0, 'compared at least one interrupt');
  });

  it('the --script bundle, run under sh, imports to the same topology as the Node capture', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-capture-'));
    try {
      const script = path.join(dir, 'capture.sh');
      fs.writeFileSync(script, captureScript('test'));
      const node = formatBundle(await captureMachine()).text;
      const sh = execFileSync('sh', [script], { encoding: 'utf8', maxBuffer: 256 << 20 });
      assert.match(sh, /^# irqtopo capture bundle \(format 1\)\n==> \/proc\/sys\/kernel\/osrelease <==\n/);
      const headers = (t: string) => t.split('\n').filter((l) => l.startsWith('==> '));
      assert.deepEqual(headers(sh), headers(node), 'the same sections in the same order');
      const a = importDumps([{ name: 'capture.txt', text: node }]);
      const b = importDumps([{ name: 'capture.txt', text: sh }]);
      assert.equal(withoutCounts(b.text), withoutCounts(a.text));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`irqtopo capture -o FILE` writes the bundle, `--script` prints the script', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-capture-'));
    try {
      let out = '';
      let err = '';
      const io = await nodeImportIO({ out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
      const file = path.join(dir, 'cap.txt');
      assert.equal(await captureCommand(['-o', file], io, 'test'), 0, err);
      assert.match(fs.readFileSync(file, 'utf8'), /^==> \/proc\/interrupts <==$/m);
      assert.match(err, /sources, \d+ not readable, written to/);
      assert.equal(await captureCommand(['--script'], io, 'test'), 0);
      assert.match(out, /^#!\/bin\/sh\n/);
      assert.equal(await captureCommand(['--bogus'], io, 'test'), 2);
      assert.equal(await captureCommand(['-o', path.join(dir, 'no', 'such', 'dir', 'x')], io, 'test'), 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the collector', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-root-'));
    const put = (p: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      fs.writeFileSync(path.join(root, p), text);
    };
    put('proc/interrupts', '           CPU0\n 24:          1  IO-APIC   4-edge      ttyS0\n');
    put('proc/irq/24/effective_affinity_list', '0\n');
    put('proc/self/mounts', 'sysfs /sys sysfs rw 0 0\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const debugfsReason = async (): Promise<string | undefined> =>
    (await captureMachine({ root })).sections.find((s) => s.path === '/sys/kernel/debug/irq/')?.unreadable;

  it('says debugfs is not mounted when it is not', async () => {
    assert.equal(await debugfsReason(), REASON.debugfsNotMounted);
  });

  it('says the kernel lacks CONFIG_GENERIC_IRQ_DEBUGFS when debugfs is mounted without irq/ (not "needs root")', async () => {
    fs.mkdirSync(path.join(root, 'sys/kernel/debug'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'proc/self/mounts'),
      'debugfs /sys/kernel/debug debugfs rw,relatime 0 0\n',
    );
    assert.equal(await debugfsReason(), REASON.noIrqDebugfs);
    assert.match(REASON.noIrqDebugfs, /CONFIG_GENERIC_IRQ_DEBUGFS/);
  });

  it('reads debugfs irq/ when it is there', async () => {
    fs.mkdirSync(path.join(root, 'sys/kernel/debug/irq/irqs'), { recursive: true });
    fs.mkdirSync(path.join(root, 'sys/kernel/debug/irq/domains'), { recursive: true });
    fs.writeFileSync(path.join(root, 'sys/kernel/debug/irq/irqs/24'), 'handler:  handle_edge_irq\n');
    const cap = await captureMachine({ root });
    assert.deepEqual(
      cap.sections.filter((s) => s.path.startsWith('/sys/kernel/debug')).map((s) => s.path),
      ['/sys/kernel/debug/irq/irqs/24'],
    );
  });

  it('never reads a FIFO or a device, and keeps to its byte budget', async function () {
    if (process.platform === 'win32') this.skip();
    const fifo = path.join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const big = path.join(root, 'big');
    fs.writeFileSync(big, 'x'.repeat(100_000));
    const got = await readPaths([fifo, '/dev/zero', big], { budget: { fileBytes: 10_000 } });
    assert.deepEqual(
      got.failures.map((f) => `${path.basename(f.path)}: ${f.reason}`),
      [
        'fifo: not a regular file',
        'zero: not a regular file',
        'big: larger than the budget of 10000 bytes for one file',
      ],
    );
    assert.deepEqual(got.inputs, []);
  });

  it('stops at the next file when the signal aborts, and runImport reports it as exit status 2', async () => {
    const abort = new AbortController();
    abort.abort();
    const r = await runImport({ paths: [path.join(root, 'proc/interrupts')] }, { signal: abort.signal });
    assert.equal(r.status, 2);
    assert.match(r.messages.join('\n'), /cancelled/);
    // cancelled after collecting, during the import: the importer's own stop, also status 2
    const late = new AbortController();
    const r2 = await runImport(
      { paths: [path.join(root, 'proc/interrupts')] },
      { signal: late.signal, onProgress: (p) => p.message === 'importing' && late.abort() },
    );
    assert.equal(r2.status, 2);
    assert.match(r2.text, /^# irqtopo import cancelled/);
  });
});
