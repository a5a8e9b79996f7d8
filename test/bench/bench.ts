// `npm run bench`: prints figures, asserts nothing. Each part reports what its issue asks for.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { analyze, buildModel, parse, simulate } from '../../server/src/core';
import { benchSimulate } from './simulate-bench';
import { runChecks } from '../../server/src/core/checks';
import { generateJsonLike, generateTopology } from './generate';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The median of `runs` timings (ms) after a warm-up run. */
function time(fn: () => void, runs: number): number {
  fn(); // warm-up
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(ts);
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap (JS heap + array buffers) after two collections. */
function heap(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function benchCore(): string[] {
  const lines: string[] = [
    '## Core, in process: parse, bind, checks, simulation vs JSON.parse of a JSON text of the same bytes (median of 7 runs, ms)',
    '| lines | bytes | parse | bind (+ parse) | checks | parse + bind + checks | JSON.parse | x JSON.parse (target 3x) | simulation | heap kept per line (target 300 B) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const n of [10_000, 100_000]) {
    const { text } = generateTopology({ lines: n });
    const json = generateJsonLike(text);
    const bytes = Buffer.byteLength(text);
    const tParse = time(() => parse(text), 7);
    const tBind = time(() => buildModel('/bench/topo.irqtopo', text), 7);
    const model = buildModel('/bench/topo.irqtopo', text);
    const tChecks = time(() => runChecks(model), 7);
    const tAll = time(() => runChecks(buildModel('/bench/topo.irqtopo', text)), 7);
    const tJson = time(() => void JSON.parse(json), 7);
    const tSim = time(() => simulate(model), 5);
    const h0 = heap();
    const kept = analyze('/bench/topo.irqtopo', text);
    const h1 = heap();
    const perLine = (h1 - h0) / n;
    void kept.model;
    lines.push(
      `| ${n.toLocaleString('en')} | ${bytes} | ${tParse.toFixed(1)} | ${tBind.toFixed(1)} | ${tChecks.toFixed(1)} | ${tAll.toFixed(1)} | ${tJson.toFixed(1)} | ${(tAll / tJson).toFixed(1)}x | ${tSim.toFixed(1)} | ${perLine.toFixed(0)} B |`,
    );
  }
  lines.push(
    '',
    'The JSON text holds the same lines as objects ({"line": n, "words": [...]}), cut to the same byte size. "Heap kept"',
    'is the heap (JS objects and typed arrays) an analyze() result holds, with the text itself counted outside it.',
  );
  return lines;
}

/** Whole process: `irqtopo check` of a 30,000-device topology vs `node -e JSON.parse` of its JSON twin. */
function benchProcess(): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-bench-'));
  try {
    const { text, irqs } = generateTopology({ devices: 30_000, perDevice: 4, lines: Infinity });
    const topo = path.join(dir, 'server.irqtopo');
    const twin = path.join(dir, 'server.json');
    fs.writeFileSync(topo, text);
    fs.writeFileSync(twin, generateJsonLike(text));
    const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
    const run = (args: string[]) => {
      const ts: number[] = [];
      for (let i = 0; i < 6; i++) {
        const t0 = process.hrtime.bigint();
        const r = cp.spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
        if (r.error) throw r.error;
        if (i > 0) ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return median(ts);
    };
    const tCheck = run([cli, 'check', topo, '--format', 'json']);
    const tJson = run(['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(twin)}, 'utf8'))`]);
    return [
      '## Whole process: `irqtopo check` vs JSON.parse of the JSON twin (median of 5 runs after one, ms)',
      '| topology | lines | bytes | interrupts | irqtopo check | node -e JSON.parse | x (target 3x) |',
      '|---|---|---|---|---|---|---|',
      `| 30,000 devices, 1,024 CPUs, 8 IR units | ${text.split('\n').length - 1} | ${Buffer.byteLength(text)} | ${irqs} | ${tCheck.toFixed(0)} | ${tJson.toFixed(0)} | ${(tCheck / tJson).toFixed(1)}x |`,
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Part = () => Promise<string[]>;

/** The other parts live beside this file; each is optional until its issue lands. */
function optional(file: string, fn: string): Part | undefined {
  const p = path.join(__dirname, '..', 'test', 'bench', file + '.js');
  if (!fs.existsSync(p)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(p) as Record<string, Part>;
  return mod[fn];
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const parts: [string, Part | undefined][] = [
    ['core', () => Promise.resolve(benchCore())],
    ['process', () => Promise.resolve(benchProcess())],
    // bundled here, not loaded beside: out/test/bench/ holds the per-file test build, in which const enums
    // are property reads (about 2x slower simulation than the CLI and the server run)
    ['simulate', benchSimulate],
    ['lsp', optional('lsp-bench', 'benchLsp')],
    ['diagram', optional('diagram-bench', 'benchDiagram')],
  ];
  console.log(
    `# irqtopo bench — node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString()}\n`,
  );
  for (const [name, part] of parts) {
    if (only && only !== name) continue;
    if (!part) {
      console.log(`## ${name}: not built yet\n`);
      continue;
    }
    try {
      for (const l of await part()) console.log(l);
    } catch (e) {
      console.log(`## ${name}: failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    console.log('');
  }
}

void main();
