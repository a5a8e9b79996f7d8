// The importer (issue 6): every shared kernel dump imports and the result checks without syntax
// errors; for the debugfs irqs/ dumps, each imported interrupt's chain, CPU and vector equal the
// dump's; this machine's own /proc/interrupts imports.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis, type Model } from '../../server/src/core';
import { importDumps, type ImportResult } from '../../server/src/core/importer';
import { canonicalDomain, deviceStem, irqNameFromAction } from '../../server/src/core/importer/names';
import { decodeGlobalMsiHwirq, formatBdf } from '../../server/src/core/importer/util';
import { device, fixture, irqsOf } from './helpers';
import { deviceViews } from '../../server/src/core/model';

const DUMPS = fixture('dumps');
/** The v1 output, which the current parser reads; the lead flips this to v2 when the v2 parser lands. */
const V2 = { v2: true } as const;
const read = (f: string): string => fs.readFileSync(path.join(DUMPS, f), 'utf8');
const ALL = fs.readdirSync(DUMPS).filter((f) => f.endsWith('.txt'));
const D5 = {
  procfs: 'x86-intel-desktop-32cpu-IR_martins3_int-procfs.txt',
  domains: 'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-domain.txt',
  irqs: 'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-int.txt',
};

function importFiles(...files: string[]): ImportResult {
  return importDumps(
    files.map((f) => ({ name: f, text: read(f) })),
    V2,
  );
}

/** Analyses the imported text and fails on any syntax diagnostic. */
function checked(r: ImportResult): Analysis {
  const a = analyze('/virtual/imported.irqtopo', r.text);
  const syntax = a.diagnostics.filter((d) => d.code === 'syntax');
  assert.deepEqual(
    syntax.map((d) => `${d.range.start.line + 1}: ${d.message}`),
    [],
    `syntax errors in the imported text:\n${r.text.split('\n').slice(0, 40).join('\n')}`,
  );
  return a;
}

/** The chain of domain names from an interrupt's endpoint to the root, in the checker's model. */
function modelChain(m: Model, device: string, name: string, index: number | undefined): string[] | undefined {
  const irq = irqsOf(m).find((i) => i.device.name === device && i.name === name && i.index === index);
  if (!irq) return undefined;
  const out: string[] = [];
  for (let d = irq.domain; d && !out.includes(d.name); d = d.parent) out.push(d.name);
  return out;
}

interface DumpIrq {
  irq: number;
  chain: string[];
  vector?: number;
  target?: number;
  managed?: boolean;
}

/**
 * Reads irqs/<n> records straight from a dump with a few regular expressions (independent of the
 * importer's parser): grep-style `N:` prefixes, or one record whose number comes from `cat N`.
 */
function dumpIrqs(text: string, single?: number): DumpIrq[] {
  const records = new Map<number, string[]>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):(.*)$/.exec(line);
    if (single === undefined && m) {
      const n = Number(m[1]);
      if (!records.has(n)) records.set(n, []);
      records.get(n)!.push(m[2]);
    } else if (single !== undefined) {
      if (!records.has(single)) records.set(single, []);
      records.get(single)!.push(line);
    }
  }
  return [...records].map(([irq, lines]) => {
    const body = lines.join('\n');
    const num = (re: RegExp): number | undefined => {
      const m = re.exec(body);
      return m ? Number(m[1]) : undefined;
    };
    return {
      irq,
      chain: lines.map((l) => /^\s*domain:\s+(\S+)/.exec(l)?.[1]).filter((d): d is string => d !== undefined),
      vector: num(/^\s*Vector:\s+(\d+)/m),
      target: num(/^\s*Target:\s+(\d+)/m),
      managed:
        num(/^\s*is_managed:\s+(\d)/m) === undefined ? undefined : num(/^\s*is_managed:\s+(\d)/m) === 1,
    };
  });
}

/** The bus-token suffix the kernel appends to debugfs domain names, removed (the test's own rule). */
function withoutToken(name: string): string {
  if (/^(INTEL|AMD)-IR-\d+-1[34]$/.test(name)) return name.replace(/-1[34]$/, '');
  if (/PCI-MSIX?-[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]-1[12]$/.test(name))
    return name.replace(/-1[12]$/, '');
  if (name === 'PCI-MSI-3') return 'PCI-MSI';
  return name;
}

/**
 * Compared per irqs/<n> record: (1) the chain: the dump's `domain:` lines in order (bus-token suffix
 * removed) against the imported interrupt's endpoint domain and its parents in the checker's model;
 * (2) the CPU: `Target:` against `cpu`; (3) the vector: `Vector:` against `vector`, for activated
 * interrupts (Vector > 0; a Vector of 0 must give no pin); (4) `is_managed: 1` against `managed`.
 * A record with no domain (the XT-PIC cascade) must not become an `irq` statement.
 */
function compareIrqs(r: ImportResult, expected: DumpIrq[]): number {
  const a = checked(r);
  const topo = r.topology!;
  let compared = 0;
  for (const e of expected) {
    const ti = topo.irqs.find((i) => i.linuxIrq === e.irq);
    if (e.chain.length === 0) {
      assert.equal(ti, undefined, `irq ${e.irq} has no domain; it must not be imported as an irq`);
      assert.ok(
        topo.notModelled.some((s) => s.startsWith(`irq ${e.irq}:`)),
        `irq ${e.irq} is kept as a comment`,
      );
      continue;
    }
    assert.ok(ti, `irq ${e.irq} is imported`);
    const chain = modelChain(a.model, ti.device, ti.name, ti.index);
    assert.deepEqual(chain, e.chain.map(withoutToken), `irq ${e.irq} (${ti.device}.${ti.name}) chain`);
    if (e.vector !== undefined && e.vector > 0) {
      const mi = irqsOf(a.model).find(
        (i) => i.device.name === ti.device && i.name === ti.name && i.index === ti.index,
      )!;
      assert.equal(mi.cpu?.value, e.target, `irq ${e.irq} cpu`);
      assert.equal(mi.vector?.value, e.vector, `irq ${e.irq} vector`);
      assert.equal(mi.managed, e.managed === true, `irq ${e.irq} managed`);
    } else {
      assert.equal(ti.vector, undefined, `irq ${e.irq} is not activated: no vector pin`);
      assert.equal(ti.cpu, undefined, `irq ${e.irq} is not activated: no cpu pin`);
    }
    compared++;
  }
  return compared;
}

describe('importer: every shared kernel dump', () => {
  for (const f of ALL) {
    it(`imports ${f} without errors, and the result has no syntax errors`, () => {
      const r = importFiles(f);
      assert.deepEqual(
        r.problems.filter((p) => p.severity === 'error'),
        [],
      );
      checked(r);
      const t = r.topology!;
      assert.ok(t.domains.length + t.irqs.length > 0, 'something was imported');
      // every reported line is kept in the output as a comment
      for (const p of r.problems.filter((q) => q.line > 0 && /kept as a comment/.test(q.message)))
        assert.ok(r.text.includes(`# ${p.file}:${p.line}: `), `${p.file}:${p.line} is kept in the output`);
    });
  }

  it('the 32-CPU Intel desktop: IR unit, DMAR-MSI, IO-APIC and per-device domains, all parented as debugfs shows', () => {
    const r = importFiles(D5.procfs, D5.domains, D5.irqs);
    const a = checked(r);
    const dom = (n: string) => a.model.domains.find((d) => d.name === n);
    assert.equal(dom('VECTOR')?.kind, 'vector');
    assert.equal(dom('INTEL-IR-0')?.kind, 'remap');
    assert.equal(dom('INTEL-IR-0')?.vendor, 'intel');
    assert.equal(dom('INTEL-IR-0')?.parent?.name, 'VECTOR');
    assert.equal(dom('DMAR-MSI')?.parent?.name, 'VECTOR');
    assert.equal(dom('IO-APIC-2')?.parent?.name, 'INTEL-IR-0');
    assert.equal(dom('IO-APIC-2')?.pins, 120, 'pins from the domain file size: 120');
    for (const bdf of ['0000:02:00.0', '0000:03:00.0', '0000:05:00.0', '0000:06:00.0', '0000:00:14.3'])
      assert.equal(dom(`IR-PCI-MSIX-${bdf}`)?.parent?.name, 'INTEL-IR-0', `IR-PCI-MSIX-${bdf}`);
    assert.equal(dom('IR-PCI-MSI-0000:01:00.0')?.parent?.name, 'INTEL-IR-0');
    // era: per-device names (>= 6.2) and vector 32 in the System line (< 6.6)
    assert.deepEqual(r.topology!.kernel, { major: 6, minor: 2 });
    assert.ok(r.inferred.some((s) => s.startsWith('kernel 6.2: 6.2 <= kernel < 6.6')));
    assert.match(r.text, /^kernel 6\.2 {2}# inferred/m);
    // action names: nvme1q1 on 0000:02:00.0 becomes nvme1.q1, MSI-X index 1, with its counts
    const q1 = r.topology!.irqs.find((i) => i.linuxIrq === 154)!;
    assert.equal(`${q1.device}.${q1.name}`, 'nvme1.q1');
    assert.equal(q1.sourceArg, 1);
    assert.equal(q1.counts?.length, 32);
    assert.equal(q1.counts?.[0], 4996);
    // the vfio-assigned device
    assert.equal(device(a.model, 'vfio-msix')?.assign, 'vfio');
  });
});

describe('importer: irqs/ dumps keep each interrupt’s chain, CPU and vector', () => {
  it('the 32-CPU Intel desktop, every irqs/<n> (grep-style), imported with its procfs and domains', () => {
    const r = importFiles(D5.procfs, D5.domains, D5.irqs);
    const expected = dumpIrqs(read(D5.irqs));
    assert.equal(expected.length, 115);
    const n = compareIrqs(r, expected);
    assert.ok(n >= 114, `compared ${n}`);
  });

  it('the same irqs/ dump alone', () => {
    const n = compareIrqs(importFiles(D5.irqs), dumpIrqs(read(D5.irqs)));
    assert.ok(n >= 114);
  });

  const singles: [string, number][] = [
    ['x86-qemu-vm-no-IR_debugfs-irqs-58_PCI-MSIX_martins3.txt', 58],
    ['x86-hygon-server-no-IR_debugfs-irqs-133_PCI-MSI-3_move-in-progress_martins3.txt', 133],
    ['x86-qemu-vm-8cpu-no-IR_debugfs-irqs-0_IO-APIC_martins3.txt', 0],
  ];
  for (const [f, irq] of singles) {
    it(`${f} (irqs/${irq})`, () => {
      const r = importFiles(f);
      assert.equal(compareIrqs(r, dumpIrqs(read(f), irq)), 1);
    });
  }

  it('decodes the global-domain hwirq of irqs/133 into its PCI address and index (0x1900003 = 32:00.0 index 3)', () => {
    const r = importFiles(singles[1][0]);
    const dev = r.topology!.devices[0];
    assert.equal(dev.pci, '0000:32:00.0');
    assert.equal(r.topology!.irqs[0].sourceArg, 3);
    assert.equal(dev.msiDomain, 'PCI-MSI');
  });
});

describe('importer: this machine', () => {
  const exists = fs.existsSync('/proc/interrupts');
  it(`imports this machine's /proc/interrupts${exists ? '' : ' (skipped: /proc/interrupts does not exist here)'}`, function () {
    if (!exists) this.skip();
    const text = fs.readFileSync('/proc/interrupts', 'utf8');
    const r = importDumps([{ name: '/proc/interrupts', text }], V2);
    assert.deepEqual(
      r.problems.filter((p) => p.severity === 'error'),
      [],
    );
    checked(r);
    const header = text.split('\n')[0].match(/CPU\d+/g) ?? [];
    assert.equal(r.topology!.cpus.length, header.length, 'cpus = the header CPUs');
    const numbered = text.split('\n').filter((l) => /^\s*\d+:/.test(l)).length;
    const t = r.topology!;
    assert.equal(
      t.irqs.length + t.notModelled.filter((s) => /^irq \d+:/.test(s)).length,
      numbered,
      'every numbered row is an irq or a kept comment',
    );
    for (const i of t.irqs) {
      assert.equal(i.cpu, undefined, '/proc/interrupts alone pins no CPU');
      assert.equal(i.vector, undefined, '/proc/interrupts alone pins no vector');
      assert.equal(i.counts?.length, header.length);
    }
  });
});

describe('importer: formats and naming', () => {
  it('decodes global PCI/MSI hwirqs (kernel-rules b.2 checks)', () => {
    const d = (h: number) => {
      const r = decodeGlobalMsiHwirq(h)!;
      return `${formatBdf(r.bdf)}#${r.index}`;
    };
    assert.equal(d(524288), '0000:01:00.0#0');
    assert.equal(d(1574912), '0000:03:00.1#0');
    assert.equal(d(134463488), '0001:00:0f.0#0');
    assert.equal(d(76021761), '0000:91:00.0#1');
  });

  it('strips bus-token suffixes but not IO-APIC ids', () => {
    assert.equal(canonicalDomain('INTEL-IR-0-13'), 'INTEL-IR-0');
    assert.equal(canonicalDomain('AMD-IR-3-14'), 'AMD-IR-3');
    assert.equal(canonicalDomain('IR-PCI-MSIX-0000:02:00.0-12'), 'IR-PCI-MSIX-0000:02:00.0');
    assert.equal(canonicalDomain('PCI-MSI-3'), 'PCI-MSI');
    assert.equal(canonicalDomain('INTEL-IR-MSI-0-3'), 'INTEL-IR-MSI-0');
    assert.equal(canonicalDomain('IO-APIC-2'), 'IO-APIC-2');
  });

  it('names devices and interrupts after the action names', () => {
    assert.equal(deviceStem(['nvme2q0', 'nvme2q1', 'nvme2q16']), 'nvme2');
    assert.equal(deviceStem(['virtio1-config', 'virtio1-req.0']), 'virtio1');
    assert.equal(deviceStem(['iwlwifi:default_queue', 'iwlwifi:queue_1']), 'iwlwifi');
    assert.equal(deviceStem(['enp5s0', 'enp5s0-TxRx-0']), 'enp5s0');
    assert.equal(deviceStem(['snd_hda_intel:card0']), 'snd_hda_intel');
    assert.equal(irqNameFromAction('nvme2q1', 'nvme2', undefined), 'q1');
    assert.equal(irqNameFromAction('virtio1-req.0', 'virtio1', undefined), 'req_0');
    assert.equal(irqNameFromAction('enp5s0', 'enp5s0', undefined), 'enp5s0');
  });

  it('pre-4.3 x86 rows (chip and flow glued, no hwirq): kernel < 4.3, pins assumed, global MSI domain', () => {
    // synthetic, in the shape kernel-rules b.2 quotes (`IR-IO-APIC-edge`, `IR-PCI-MSI-edge`, `DMAR_MSI-edge`)
    const text = [
      '           CPU0       CPU1',
      '  8:          0          1   IR-IO-APIC-edge      rtc0',
      ' 40:          0          0   DMAR_MSI-edge      dmar0',
      ' 41:        100          0   IR-PCI-MSI-edge      eth0',
    ].join('\n');
    const r = importDumps([{ name: 'old.txt', text }], V2);
    const a = checked(r);
    assert.deepEqual(r.topology!.kernel, { major: 4, minor: 2 });
    assert.ok(r.inferred.some((s) => /pin 8 assumed = irq number/.test(s)));
    assert.equal(a.model.domains.find((d) => d.name === 'INTEL-IR-MSI-0')?.parent?.name, 'INTEL-IR-0');
    assert.equal(device(a.model, 'eth0')?.msiDomain?.name, 'INTEL-IR-MSI-0');
  });

  it('arm64 before 6.11 (ITS-MSI, ITS-pMSI, GICv3 rows) and RISC-V AIA rows', () => {
    const arm = [
      '           CPU0       CPU1',
      ' 11:       4511       3866     GICv3  27 Level     arch_timer',
      ' 50:         10          0     ITS-MSI 76021761 Edge      nvme0q1',
      ' 51:          0          0     ITS-pMSI 133120 Edge      gpio-keys',
      'IPI0:       100        200       Rescheduling interrupts',
    ].join('\n');
    const r = importDumps([{ name: 'arm.txt', text: arm }], V2);
    const a = checked(r);
    assert.equal(r.topology!.arch, 'arm64');
    assert.deepEqual(r.topology!.kernel, { major: 6, minor: 10 });
    const nvme = deviceViews(a.model).find((d) => d.pci?.text === '0000:91:00.0')!;
    assert.ok(nvme, 'ITS-MSI 76021761 decodes to 0000:91:00.0');
    assert.equal(nvme.msiDomain?.name, 'ITS-MSI');
    assert.equal(nvme.msiDomain?.parent?.name, 'ITS');
    assert.ok(r.topology!.notModelled.some((s) => s.startsWith('irq 11: GICv3 27 Level arch_timer')));
    const rv = [
      '           CPU0       CPU1',
      '  1:        500        400  RISC-V INTC   5 Edge      riscv-timer',
      ' 12:          3          0  APLIC-MSI-d000000.aplic   8 Level   -fasteoi   virtio0',
    ].join('\n');
    const r2 = importDumps([{ name: 'rv.txt', text: rv }], V2);
    const a2 = checked(r2);
    assert.equal(r2.topology!.arch, 'riscv');
    assert.equal(device(a2.model, 'virtio0')?.msiDomain?.kind, 'aplic');
  });

  it('reads concatenated `cat` outputs and grep -r style dumps with full paths', () => {
    const d8 = read('x86-qemu-vm-no-IR_debugfs-irqs-58_PCI-MSIX_martins3.txt');
    const d21 = read('x86-qemu-vm-8cpu-no-IR_debugfs-irqs-0_IO-APIC_martins3.txt');
    const r = importDumps([{ name: 'cat.txt', text: `${d8}\n${d21}` }], V2);
    checked(r);
    assert.deepEqual(r.topology!.irqs.map((i) => i.linuxIrq).sort(), [0, 58]);
    const grep = d8
      .split('\n')
      .slice(1)
      .map((l) => `/sys/kernel/debug/irq/irqs/58:${l}`)
      .join('\n');
    const g = importDumps([{ name: 'grep.txt', text: grep }], V2);
    checked(g);
    assert.equal(g.topology!.irqs[0]?.linuxIrq, 58);
    assert.equal(g.topology!.irqs[0]?.vector, 34);
  });

  it('keeps a line it does not understand as a comment and reports it with its line number', () => {
    const text = read('local-vm-2cpu_proc-interrupts.txt').split('\n');
    text.splice(5, 0, 'this line is not from the kernel');
    const r = importDumps([{ name: 'p.txt', text: text.join('\n') }], V2);
    checked(r);
    const p = r.problems.find((q) => q.line === 6);
    assert.ok(p, 'reported at line 6');
    assert.equal(p.severity, 'warning');
    assert.ok(r.text.includes('# p.txt:6: warning: not understood: this line is not from the kernel'));
    assert.equal(r.topology!.irqs.length, 19, 'the other rows still import');
  });

  it('tolerates shell prompts and trailing annotations', () => {
    const text = [
      'user@host:~$ cat /proc/interrupts',
      '           CPU0       CPU1',
      ' 36:          0      66345 PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0   <-- the busy queue',
    ].join('\n');
    const r = importDumps([{ name: 'a.txt', text }], V2);
    checked(r);
    assert.deepEqual(r.problems, []);
    assert.equal(r.topology!.irqs[0].name, 'virtio1-req_0');
    assert.deepEqual(r.topology!.irqs[0].counts, [0, 66345]);
  });

  it('gives a clear error for input in no known format, and never throws', () => {
    const r = importDumps([{ name: 'notes.md', text: '# My notes\nSome prose about interrupts.\n' }], V2);
    assert.equal(r.problems[0].severity, 'error');
    assert.match(r.problems[0].message, /not a known dump format/);
    assert.deepEqual(
      analyze('/v.irqtopo', r.text).diagnostics.filter((d) => d.code === 'syntax'),
      [],
    );
    const e = importDumps([{ name: 'empty', text: '' }], V2);
    assert.match(e.problems[0].message, /empty/);
    assert.match(importDumps([]).problems[0].message, /no input/);
  });

  it('quotes names that are not bare names', () => {
    const text = [
      '           CPU0',
      ' 30:          1 PCI-MSIX-0000:00:02.0   0-edge      weird"name\\x',
    ].join('\n');
    const r = importDumps([{ name: 'q.txt', text }], V2);
    checked(r);
    assert.equal(r.topology!.irqs.length, 1);
  });
});
