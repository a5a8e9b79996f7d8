// `npm run hostile`: issue 13's hostile inputs, and user-sized inputs shaped to find a quadratic
// loop, each run through the bundled CLI (`node dist/cli.js check`, `import`, `routes`) under
// /usr/bin/time -v. Prints one row per input: wall time, peak memory (max RSS), exit status and the
// first line of the answer, and marks an input over the issue's bounds (2 s, 512 MB) or one that
// crashed. The regression tests check each answer; this only measures (the CPUs may be shared, so a
// mark is a reason to look, not a verdict).
//
//   node scripts/hostile.mjs [--only SUBSTRING] [--keep] [--markdown]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const TIME = '/usr/bin/time';
const WALL_S = 2;
const RSS_MB = 512;

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const keep = argv.includes('--keep');
const markdown = argv.includes('--markdown');

if (!fs.existsSync(CLI)) {
  console.error(`${CLI} is missing: npm run build`);
  process.exit(2);
}
if (!fs.existsSync(TIME)) {
  console.error(`${TIME} is missing (GNU time): apt-get install time`);
  process.exit(2);
}

const HEAD = 'arch x86\ncpus 0-7\ndomain VECTOR : vector\n';
const SECRET = 'PRIVATE-KEY-5b1e0c';
const N = 100_000;
const seq = (n, f) => Array.from({ length: n }, (_, i) => f(i)).join('');
const pci = (i) =>
  `${(Math.floor(i / 8192) % 65536).toString(16).padStart(4, '0')}:${(Math.floor(i / 32) % 256).toString(16).padStart(2, '0')}:${(i % 32).toString(16).padStart(2, '0')}.0`;

/** A root file `a.irqtopo` (the head) including the body cut into files under the readers' 4 MiB. */
function split(head, body) {
  const files = {};
  const parts = [];
  let at = 0;
  while (at < body.length) {
    let end = Math.min(body.length, at + 3.5 * 1024 * 1024);
    if (end < body.length) end = body.lastIndexOf('\n', end) + 1;
    const name = `part${parts.length}.irqtopo`;
    files[name] = body.slice(at, end);
    parts.push(name);
    at = end;
  }
  files['a.irqtopo'] = head + parts.map((p) => `include "${p}"\n`).join('');
  return files;
}

/**
 * Each input: files to write (name -> text, or a function of the folder that makes the file), the
 * command (its arguments, relative to the folder), and `leak` when the output must not hold SECRET.
 */
const INPUTS = [
  // ---- issue 13's list -------------------------------------------------------------------------
  {
    name: 'apic-ids 0-65535, x 2,100 (16.8 KB)',
    files: { 'a.irqtopo': `${HEAD}apic-ids ${'0-65535,'.repeat(2100)}0\n` },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'parent cycle of 2,000 domains',
    files: {
      'a.irqtopo': HEAD + seq(2000, (i) => `domain D${i} : remap { parent D${(i + 1) % 2000} }\n`),
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'import: 41-byte dump, Target: 400000000',
    files: { 'dump.txt': 'domain:  VECTOR\nTarget: 400000000\n        ' },
    args: ['import', 'dump.txt'],
  },
  {
    name: 'include a FIFO named *.irqtopo',
    files: {
      'fifo.irqtopo': (dir) => spawnSync('mkfifo', [path.join(dir, 'fifo.irqtopo')]),
      'a.irqtopo': `${HEAD}include "fifo.irqtopo"\n`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'include "/dev/ptmx", and a link to it named *.irqtopo',
    files: {
      'ptmx.irqtopo': (dir) => fs.symlinkSync('/dev/ptmx', path.join(dir, 'ptmx.irqtopo')),
      'a.irqtopo': `${HEAD}include "/dev/ptmx"\ninclude "ptmx.irqtopo"\n`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'include "/dev/zero", and a link to it named *.irqtopo',
    files: {
      'zero.irqtopo': (dir) => fs.symlinkSync('/dev/zero', path.join(dir, 'zero.irqtopo')),
      'a.irqtopo': `${HEAD}include "/dev/zero"\ninclude "zero.irqtopo"\n`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'a 1 GB sparse file, included and checked itself',
    files: {
      'big.irqtopo': (dir) => {
        const fd = fs.openSync(path.join(dir, 'big.irqtopo'), 'w');
        fs.ftruncateSync(fd, 1024 ** 3);
        fs.closeSync(fd);
      },
      'a.irqtopo': `${HEAD}include "big.irqtopo"\n`,
    },
    args: ['check', 'a.irqtopo', 'big.irqtopo'],
  },
  ...[
    ['spaces after a prompt', (l) => `# ${' '.repeat(l)}x`],
    ['spaces in a /proc/interrupts row', (l) => ` 12:${' '.repeat(l)}x`],
    ['spaces after a debugfs key', (l) => `name:${' '.repeat(l)}:`],
    ['annotation marks', (l) => ` 36:   0   1 x${' <- '.repeat(l / 4)}`],
    ['digits and spaces', (l) => ` 12:${' 1'.repeat(l / 2)}x`],
    ['colons', (l) => ':'.repeat(l)],
  ].map(([what, line]) => ({
    name: `import: 100 KB lines of ${what}`,
    files: { 'dump.txt': `${line(100_000)}\n${line(100_000)}\n` },
    args: ['import', 'dump.txt'],
  })),
  {
    name: '30 x irq d.q[0..65535] : virtual (2 KB)',
    files: {
      'a.irqtopo': `${HEAD}device d { pci 0000:01:00.0; msix 8 }\n${'irq d.q[0..65535] : virtual\n'.repeat(30)}`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: '65,536 virtual interrupts on 8,192 CPUs',
    files: {
      'a.irqtopo':
        'arch x86\ncpus 0-8191\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 8 }\nirq d.q[0..65535] : virtual\n',
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: '"did you mean" on two 30,000-character names',
    files: {
      'a.irqtopo': `${HEAD}domain ${'a'.repeat(30000)} : remap { parent VECTOR }\ndomain y : ioapic { parent ${'a'.repeat(29999)}b }\n`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'a parent chain 10,000 deep',
    files: {
      'a.irqtopo':
        HEAD +
        'domain D0 : remap { parent VECTOR }\n' +
        seq(10000, (i) => `domain D${i + 1} : ioapic { parent D${i} }\n`),
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'include a private key by absolute path (no leak)',
    files: {
      id_ed25519: `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRET}\n-----END OPENSSH PRIVATE KEY-----\n`,
      'key.irqtopo': (dir) => fs.symlinkSync(path.join(dir, 'id_ed25519'), path.join(dir, 'key.irqtopo')),
      'a.irqtopo': (dir) =>
        fs.writeFileSync(
          path.join(dir, 'a.irqtopo'),
          `${HEAD}include "${path.join(dir, 'id_ed25519')}"\ninclude "key.irqtopo"\ninclude "../${path.basename(dir)}/id_ed25519"\n`,
        ),
    },
    args: ['check', '--format', 'sarif', 'a.irqtopo'],
    leak: true,
  },
  {
    name: 'links to a private key given as the files to check (no leak)',
    files: {
      id_ed25519: `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRET}\n-----END OPENSSH PRIVATE KEY-----\n`,
      'key.irqtopo': (dir) => fs.symlinkSync(path.join(dir, 'id_ed25519'), path.join(dir, 'key.irqtopo')),
      key: (dir) => fs.symlinkSync(path.join(dir, 'id_ed25519'), path.join(dir, 'key')),
    },
    args: ['check', '--format', 'json', 'key.irqtopo', 'key'],
    leak: true,
  },
  {
    name: 'a comment ended by a lone CR',
    files: { 'a.irqtopo': `${HEAD}# comment\rdevice d { pci 0000:01:00.0; msix 8 }\rirq d.q[0] : msix\n` },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'apic-ids 4,4',
    files: { 'a.irqtopo': 'arch x86\ncpus 0-1\napic-ids 4,4\ndomain VECTOR : vector\n' },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'import: counts beyond 2^53, cpu -1, a pin without its number',
    files: {
      'dump.txt': [
        '           CPU0       CPU1',
        ' 36:  10000000000000000000000  1 PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0',
        'handler:  handle_edge_irq',
        'effectiv: -1',
        'domain:  IO-APIC-0',
        ' chip:    IO-APIC',
        '',
      ].join('\n'),
    },
    args: ['import', 'dump.txt'],
  },
  {
    name: 'routes > /dev/full',
    files: { 'a.irqtopo': `${HEAD}device d { pci 0000:01:00.0; msix 8 }\nirq d.q[0..7] : msix\n` },
    args: ['routes', 'a.irqtopo'],
    stdout: '/dev/full',
  },
  // ---- budgets -----------------------------------------------------------------------------------
  {
    name: '2 million lines of an unknown word (4 MB of syntax errors)',
    files: { 'a.irqtopo': HEAD + 'x\n'.repeat(2_000_000) },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: '590,000 statements `cpus 0` (4 MB)',
    files: { 'a.irqtopo': 'arch x86\ndomain VECTOR : vector\n' + 'cpus 0\n'.repeat(590_000) },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: '830,000 statements `arch` (4 MB)',
    files: { 'a.irqtopo': 'arch\n'.repeat(830_000) },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: '4 MB of `;`',
    files: { 'a.irqtopo': HEAD + ';'.repeat(4 * 1024 * 1024 - 100) },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'include fan-out: 300 includes of 4 MB files (`domain` statements)',
    files: {
      ...Object.fromEntries(
        Array.from({ length: 20 }, (_, f) => [
          `f${f}.irqtopo`,
          seq(95_000, (i) => `domain F${f}D${i} : ioapic { parent VECTOR }\n`).slice(0, 4 * 1024 * 1024 - 64),
        ]),
      ),
      'a.irqtopo': HEAD + seq(300, (i) => `include "f${i % 20}.irqtopo"\ninclude "missing${i}.irqtopo"\n`),
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'an include cycle 64 files deep',
    files: Object.fromEntries(
      Array.from({ length: 70 }, (_, i) => [
        `c${i}.irqtopo`,
        `${i === 0 ? HEAD : ''}include "c${(i + 1) % 70}.irqtopo"\ndomain C${i} : ioapic { parent VECTOR }\n`,
      ]),
    ),
    args: ['check', 'c0.irqtopo'],
  },
  {
    name: '1,000,000 diagnostics with related places (duplicate names)',
    files: { 'a.irqtopo': HEAD + 'domain X : ioapic { parent VECTOR }\n'.repeat(110_000) },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'cpus 0-4294967295, irq d.q[0..999999999]',
    files: {
      'a.irqtopo':
        'arch x86\ncpus 0-4294967295\ndomain VECTOR : vector\ndevice d { pci 01:00.0; msix 4 }\nirq d.q[0..999999999] : msix\n',
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'a 4 MB quoted name',
    files: {
      'a.irqtopo': `${HEAD}domain "${'n'.repeat(4 * 1024 * 1024 - 100)}" : remap { parent VECTOR }\n`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: 'blocks nested 1,000,000 deep (`{` x 1M)',
    files: { 'a.irqtopo': `${HEAD}device d ${'{'.repeat(1_000_000)}\n` },
    args: ['check', 'a.irqtopo'],
  },
  // ---- user-sized inputs (100k statements) shaped to find a quadratic loop -----------------------
  {
    name: '131,072 interrupts listed by `routes`',
    files: {
      'a.irqtopo':
        'arch x86\ncpus 0-8191\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 8 }\nirq d.a[0..65535] : virtual\nirq d.b[0..65535] : virtual\n',
    },
    args: ['routes', 'a.irqtopo'],
  },
  {
    name: 'a full remap table, then 65,536 interrupts more',
    files: {
      'a.irqtopo':
        'arch x86\ncpus 0-8191\ndomain VECTOR : vector\ndomain IR : remap { parent VECTOR; vendor intel }\ndevice d { pci 0000:01:00.0; msix 8 }\nirq d.a[0..65535] : virtual\nirq d.b[0..65535] : virtual\n',
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 1000}k domains, each with a parent`,
    files: split(
      HEAD,
      seq(N, (i) => `domain D${i} : ioapic { parent VECTOR; id ${i} }\n`),
    ),
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `a parent cycle of ${N / 1000}k domains`,
    files: split(
      HEAD,
      seq(N, (i) => `domain D${i} : remap { parent D${(i + 1) % N} }\n`),
    ),
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 1000}k unknown parents among ${N / 1000}k names ("did you mean")`,
    files: split(
      HEAD,
      seq(N / 2, (i) => `domain Dom${i} : ioapic { parent VECTOR }\n`) +
        seq(N / 2, (i) => `domain E${i} : ioapic { parent Dmo${i} }\n`),
    ),
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 1000}k irqs of unknown devices ("did you mean")`,
    files: {
      'a.irqtopo':
        HEAD +
        seq(N / 2, (i) => `device dev${i} { pci ${pci(i)}; msix 1 }\n`) +
        seq(N / 2, (i) => `irq dve${i}.q[0] : msix\n`),
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 2000}k devices under ${N / 2000}k remap units with scopes`,
    files: split(
      'arch x86\nkernel 6.8\ncpus 0-63\ndomain VECTOR : vector\n',
      seq(
        N / 2,
        (i) =>
          `domain IR-${i} : remap { parent VECTOR; vendor intel; scope ${pci(i).slice(0, 7)}-${pci(i).slice(5, 7)} }\n`,
      ) + seq(N / 2, (i) => `device dev${i} { pci ${pci(i)}; msix 1 }\n`),
    ),
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 2000}k devices with an irq each under ${N / 2000}k remap units with scopes`,
    files: split(
      'arch x86\nkernel 6.8\ncpus 0-63\ndomain VECTOR : vector\n',
      seq(
        N / 2,
        (i) =>
          `domain IR-${i} : remap { parent VECTOR; vendor intel; scope ${pci(i).slice(0, 7)}-${pci(i).slice(5, 7)} }\n`,
      ) + seq(N / 2, (i) => `device dev${i} { pci ${pci(i)}; msix 1 }\nirq dev${i}.q[0] : msix\n`),
    ),
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 2000}k devices, one irq each (x86, 6.8, 64 CPUs)`,
    files: {
      'a.irqtopo':
        'arch x86\nkernel 6.8\ncpus 0-63\ndomain VECTOR : vector\n' +
        seq(N / 2, (i) => `device dev${i} { pci ${pci(i)}; msix 1 }\nirq dev${i}.q[0] : msix\n`),
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `one device, ${N / 1000}k interrupt statements`,
    files: {
      'a.irqtopo':
        'arch x86\ncpus 0-1023\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 2048 }\n' +
        seq(N, (i) => `irq d.q${i} : virtual\n`),
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 1000}k expect statements on one interrupt`,
    files: {
      'a.irqtopo': `${HEAD}device d { pci 0000:01:00.0; msix 8 }\nirq d.q[0] : msix\n${'expect d.q[0] cpu 0\n'.repeat(N)}`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 1000}k inject statements`,
    files: {
      'a.irqtopo': `${HEAD}device d { pci 0000:01:00.0; msix 8 }\nirq d.q[0..7] : msix\n${seq(N, (i) => `inject 0xfee00000 0x${(32 + (i % 200)).toString(16)} from d\n`)}`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 1000}k release statements`,
    files: {
      'a.irqtopo': `${HEAD}device d { pci 0000:01:00.0; msix 8 }\nirq d.q[0..7] : msix\n${'release d\nirq d.q[0..7] : msix\n'.repeat(N / 2)}`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 1000}k offline statements`,
    files: {
      'a.irqtopo': `arch x86\nkernel 6.8\ncpus 0-63\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 8 }\nirq d.q[0..7] : msix\n${seq(N, (i) => `offline ${i % 64}\n`)}`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 1000}k node statements`,
    files: {
      'a.irqtopo': `arch x86\ncpus 0-8191\ndomain VECTOR : vector\n${seq(N, (i) => `node ${i % 1100} cpus ${i % 8192}\n`)}`,
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 2000}k IMS domains serving one device`,
    files: {
      'a.irqtopo':
        'arch x86\nkernel 6.6\ncpus 0-63\ndomain VECTOR : vector\ndomain IR-0 : remap { parent VECTOR; vendor intel; scope 0000:00-ff }\ndevice d { pci 0000:01:00.0; msix 8 }\n' +
        seq(N / 2, (i) => `domain IMS${i} : ims { parent IR-0; slots 4; device d }\n`),
    },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 2000}k devices with the same PCI address`,
    files: { 'a.irqtopo': HEAD + seq(N / 2, (i) => `device dev${i} { pci 0000:01:00.0; msix 1 }\n`) },
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 2000}k arm64 devices under ${N / 2000}k ITS domains`,
    files: split(
      'arch arm64\nkernel 6.8\ncpus 0-63\ndomain GIC : gic\n',
      seq(
        N / 2,
        (i) => `domain ITS-${i} : its { parent GIC; scope ${pci(i).slice(0, 7)}-${pci(i).slice(5, 7)} }\n`,
      ) + seq(N / 2, (i) => `device dev${i} { pci ${pci(i)}; msix 1 }\n`),
    ),
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 1000}k irqs on IO-APIC pins, one IO-APIC named by none`,
    files: split(
      HEAD + 'domain IOA : ioapic { parent VECTOR; id 1; pins 240 }\ndevice d { platform }\n',
      seq(N, (i) => `irq d.p${i} : pin ${i % 240}\n`),
    ),
    args: ['check', 'a.irqtopo'],
  },
  {
    name: `${N / 1000}k domains under one parent, below the depth budget`,
    files: split(
      HEAD +
        'domain C0 : remap { parent VECTOR }\n' +
        seq(70, (i) => `domain C${i + 1} : ioapic { parent C${i} }\n`),
      seq(N, (i) => `domain W${i} : ioapic { parent C${i % 2 ? 70 : 10} }\n`),
    ),
    args: ['check', 'a.irqtopo'],
  },
];

function runOne(input) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-hostile-'));
  try {
    for (const [name, content] of Object.entries(input.files)) {
      if (typeof content === 'function') content(dir);
      else fs.writeFileSync(path.join(dir, name), content);
    }
    const out = path.join(dir, '.stdout');
    const err = path.join(dir, '.stderr');
    const stdout = fs.openSync(input.stdout ?? out, 'w');
    const stderr = fs.openSync(err, 'w');
    const r = spawnSync(TIME, ['-v', process.execPath, CLI, ...input.args], {
      cwd: dir,
      stdio: ['ignore', stdout, stderr],
      timeout: 60_000,
    });
    fs.closeSync(stdout);
    fs.closeSync(stderr);
    const errText = fs.readFileSync(err, 'utf8');
    // GNU time's report is the tail of stderr
    const at = errText.lastIndexOf('\tCommand being timed:');
    const report = at >= 0 ? errText.slice(at) : '';
    const own = at >= 0 ? errText.slice(0, at) : errText;
    const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(report);
    const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
    const mb = rss ? Number(rss[1]) / 1024 : NaN;
    const status = /Exit status: (\d+)/.exec(report)?.[1];
    const signal = /Command terminated by signal (\d+)/.exec(report)?.[1];
    const outText = input.stdout ? '' : fs.readFileSync(out, 'utf8');
    const all = outText + own;
    const first = (all.split('\n').find((l) => l.trim() && !l.startsWith('#')) ?? '').trim();
    const leaked = input.leak ? all.includes(SECRET) : undefined;
    return {
      seconds,
      mb,
      status: r.error ? `spawn: ${r.error.message}` : signal ? `signal ${signal}` : (status ?? '?'),
      first,
      leaked,
      crashed:
        !!signal || /FATAL ERROR|RangeError|Maximum call stack|at .*\.js:\d+/.test(own) || Number(status) > 2,
      dir,
    };
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rows = [];
let bad = 0;
for (const input of INPUTS) {
  if (only && !input.name.includes(only)) continue;
  const r = runOne(input);
  const marks = [];
  if (!(r.seconds <= WALL_S)) marks.push(`over ${WALL_S} s`);
  if (!(r.mb <= RSS_MB)) marks.push(`over ${RSS_MB} MB`);
  if (r.crashed) marks.push('CRASHED');
  if (r.leaked) marks.push('LEAKED');
  if (marks.length) bad++;
  rows.push({ ...r, name: input.name, marks, args: input.args.join(' ') });
  if (!markdown)
    console.log(
      `${r.seconds.toFixed(2).padStart(6)} s ${r.mb.toFixed(0).padStart(5)} MB  exit ${String(r.status).padEnd(3)} ${input.name}${marks.length ? `  <-- ${marks.join(', ')}` : ''}\n${' '.repeat(32)}${r.first.slice(0, 150)}${keep ? `\n${' '.repeat(32)}(kept: ${r.dir})` : ''}`,
    );
}
if (markdown) {
  console.log('| input | command | wall (s) | max RSS (MB) | exit | the answer (first line) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.name}${r.marks.length ? ` **${r.marks.join(', ')}**` : ''} | \`${r.args.split(' ')[0]}\` | ${r.seconds.toFixed(2)} | ${r.mb.toFixed(0)} | ${r.status} | ${r.first.slice(0, 110).replace(/\|/g, '\\|')} |`,
    );
}
console.log(
  `\n${rows.length} inputs, ${bad} over a bound or failed (bounds: ${WALL_S} s wall, ${RSS_MB} MB max RSS)`,
);
process.exit(bad ? 1 : 0);
