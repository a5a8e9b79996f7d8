// `npm run bench`: prints figures, asserts nothing. Each part reports what its issue asks for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, buildModel, parse } from '../../server/src/core';
import { runChecks } from '../../server/src/core/checks';
import { generateJsonLike, generateTopology } from './generate';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

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

function benchCore(): string[] {
  const lines: string[] = [
    '## Parse + check (issue 2) vs JSON.parse of a same-size JSON text (median of 7 runs, ms)',
    '| lines | bytes | parse | parse + check | MB/s | JSON.parse (same bytes) | JSON MB/s | slower than JSON.parse | full analyze (with simulation) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const n of [10_000, 100_000]) {
    const { text } = generateTopology({ lines: n });
    const json = generateJsonLike(text);
    const bytes = Buffer.byteLength(text);
    const tParse = time(() => parse(text), 7);
    const tCheck = time(() => runChecks(buildModel('/bench/topo.irqtopo', text)), 7);
    const tJson = time(() => void JSON.parse(json), 7);
    const tAll = time(() => analyze('/bench/topo.irqtopo', text), 5);
    const mbs = bytes / 1e6 / (tCheck / 1e3);
    lines.push(
      `| ${n.toLocaleString('en')} | ${bytes} | ${tParse.toFixed(1)} | ${tCheck.toFixed(1)} | ${mbs.toFixed(1)} | ${tJson.toFixed(1)} | ${(Buffer.byteLength(json) / 1e6 / (tJson / 1e3)).toFixed(1)} | ${(tCheck / tJson).toFixed(1)}x | ${tAll.toFixed(1)} |`,
    );
  }
  lines.push('', 'Target (issue 2): parse + check within 3x of JSON.parse.');
  return lines;
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
    ['simulate', optional('simulate-bench', 'benchSimulate')],
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
