// `npm run fuzz`: a fuzz campaign longer than the bounded fuzz suite of `npm test`, over the core
// (parser, binder, checks, simulation, every service and incremental re-analysis), the importer and
// randomized sessions with the bundled language server. Inputs come from test/fuzz/generators.ts
// (token soup, mutated examples and dumps, grammar-aware growth of ranges, lists, nesting, names and
// parent chains). The core and the importer run in a worker thread that the main thread ends when one
// input takes longer than the per-input budget (a hang); a worker that runs out of its heap is a
// crash too. It reports, per target, the inputs tried, crashes, hangs, the slowest inputs and peak
// memory, and saves every failing input under test-results/fuzz/.
//
//   node out/test/fuzz/campaign-bundle.js [--minutes M] [--target core|importer|lsp]... [--seed S]
//     [--hang-seconds H] [--heap-mb MB]
//   node out/test/fuzz/campaign-bundle.js --target core --seed S --replay INDEX
//     runs one input of a campaign again, in this thread, timing each phase (a hang's or a crash's)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Range } from 'vscode-languageserver-protocol/node';
import { analyze, parse, type Analysis } from '../../server/src/core';
import { importDumps } from '../../server/src/core/importer';
import { reanalyze, reparse } from '../../server/src/core/incremental';
import * as S from '../../server/src/core/services';
import { applyEdits } from '../../server/src/core/services/util';
import { Client } from '../protocol/client';
import { dumpInput, editText, grownTopology, inputSeed, Rng, topologyInput } from './generators';

const ROOT = path.resolve(__dirname, '../../..');
type Target = 'core' | 'importer' | 'lsp';

interface Options {
  minutes: number;
  targets: Target[];
  seed: number;
  hangSeconds: number;
  slowSeconds: number;
  heapMb: number;
  replay?: number;
}

function options(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const targets = argv.flatMap((a, i) => (argv[i - 1] === '--target' ? [a as Target] : []));
  return {
    minutes: Number(get('--minutes') ?? 2),
    targets: targets.length ? targets : ['core', 'importer', 'lsp'],
    seed: Number(get('--seed') ?? Date.now() % 2 ** 31),
    hangSeconds: Number(get('--hang-seconds') ?? 20),
    slowSeconds: 2,
    heapMb: Number(get('--heap-mb') ?? 2048),
    replay: get('--replay') === undefined ? undefined : Number(get('--replay')),
  };
}

// ---- the inputs of each target ---------------------------------------------------------------------

function readAll(dir: string, ext: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) readAll(p, ext, out);
    else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

const EXAMPLES = () =>
  [
    ...readAll(path.join(ROOT, 'examples'), '.irqtopo'),
    ...readAll(path.join(ROOT, 'test', 'fixtures'), '.irqtopo'),
  ].map((f) => fs.readFileSync(f, 'utf8'));
const DUMPS = () =>
  readAll(path.join(ROOT, 'test', 'fixtures', 'dumps'), '.txt').map((f) => ({
    name: path.basename(f),
    text: fs.readFileSync(f, 'utf8'),
  }));

/** What one input of a target is (made again by the main thread to save an input its worker hung on). */
function makeInput(
  target: Target,
  seed: number,
  index: number,
  bases: string[],
  dumps: ReturnType<typeof DUMPS>,
) {
  const r = new Rng(inputSeed(seed, index));
  if (target === 'importer') return { kind: 'dumps', dumps: dumpInput(r, dumps) };
  const t = topologyInput(r, bases);
  return { kind: t.kind, text: t.text, r };
}

// ---- checks on one input ------------------------------------------------------------------------------

const URI = '/fuzz/input.irqtopo';

/** Everything the core offers, on one topology: a throw, an internal error or a broken invariant fails. */
function checkTopology(text: string, r: Rng, step: (phase: string) => void = () => undefined): void {
  const files = new Map<string, string>();
  // includes resolve to more generated text (or fail to read)
  const reader = (u: string) => {
    if (!files.has(u))
      files.set(u, r.chance(0.5) ? grownTopology(r, 100_000) : `include "${u.slice(-12)}"\n`);
    return r.chance(0.9) ? files.get(u)! : new Error('no such file');
  };
  step('analyze');
  const a = analyze(URI, text, { reader });
  step('publish');
  for (const d of a.diagnostics) {
    assert.notEqual(d.code, 'internal', d.message);
    assert.ok(d.range.start.line >= 0 && d.range.start.character >= 0 && d.message.length > 0);
  }
  assert.ok(JSON.stringify(a.diagnostics).length < 64 * 1024 * 1024, 'the published diagnostics stay small');
  const file = a.model.files[a.model.files.length - 1];
  const lines = text.split(/\r\n|\r|\n/);
  const pos = () => ({ line: r.int(lines.length + 2), character: r.int(120) });
  step('documentSymbols');
  JSON.stringify(S.documentSymbols(a.model, URI));
  step('domainTree');
  JSON.stringify(S.domainTree(a));
  step('routes');
  JSON.stringify(S.routes(a));
  step('diagram');
  JSON.stringify(S.diagram(a));
  step('semanticTokens, foldingRanges');
  S.semanticTokens(a.model, URI);
  S.foldingRanges(file);
  step('inlayHints');
  S.inlayHints(a, URI);
  step('codeLenses');
  S.codeLenses(a, URI, { interrupts: true });
  for (let i = 0; i < 4; i++) {
    const p = pos();
    step(`hover, completion, selection, highlights at ${JSON.stringify(p)}`);
    S.hover(a, URI, p);
    S.completions(a.model, lines, p);
    S.selectionRange(file, p);
    S.documentHighlights(a.model, URI, p);
    const s = S.symbolAt(a.model, URI, p);
    if (s) {
      const prep = S.prepareRename(a.model, URI, p);
      const occ = S.occurrences(a.model, s.kind, s.name);
      if (!('error' in prep)) {
        // a rename applied: the text still analyses
        const edits = S.renameEdits(s, s.kind === 'irq' ? 'renamed' : 'RE NAMED', occ)[URI] ?? [];
        step(`analyze after renaming ${s.name.slice(0, 40)}`);
        analyze(URI, applyEdits(text, edits));
      }
    }
  }
  step('fixAll');
  const fix = S.fixAll(a, URI);
  step('analyze after fixAll');
  if (fix) analyze(URI, applyEdits(text, fix.edit[URI] ?? []));
  step('format');
  const formatted = S.formatText(text, file);
  if (formatted !== undefined) {
    assert.deepEqual(parse(formatted).errors, [], 'the formatted text parses');
    assert.equal(S.formatText(formatted), formatted, 'formatting is idempotent');
  }
  // an edit, re-analysed incrementally, publishes what a fresh analysis does
  if (text.length < 300_000) {
    const at = r.int(text.length + 1);
    const end = Math.min(text.length, at + r.int(30));
    const piece = editText(r).slice(0, 2000);
    const next = text.slice(0, at) + piece + text.slice(end);
    step('incremental re-analysis');
    const prev = analyze(URI, text);
    const inc = reanalyze(
      prev,
      reparse(prev.model.fileByUri.get(URI)!, [{ start: at, end, text: piece }]),
      next,
    );
    assert.equal(published(inc), published(analyze(URI, next)), 'incremental = fresh');
  }
}

function published(a: Analysis): string {
  return JSON.stringify(
    a.diagnostics
      .map(
        (x) =>
          `${x.range.start.line}:${x.range.start.character}-${x.range.end.line}:${x.range.end.character} ${x.code} ${x.message}`,
      )
      .sort(),
  );
}

function checkDumps(dumps: { name: string; text: string }[]): void {
  const r = importDumps(dumps, { v2: true });
  assert.equal(r.internalError, undefined, r.internalError);
  assert.deepEqual(parse(r.text, 'x').errors, [], 'the v1 output parses');
  const v2 = importDumps(dumps);
  assert.equal(v2.internalError, undefined, v2.internalError);
  const a = analyze('/fuzz/imported.irqtopo', v2.text);
  for (const d of a.diagnostics) assert.notEqual(d.code, 'internal', d.message);
}

// ---- the worker: runs inputs in order, says when each starts and ends ----------------------------

interface FromWorker {
  type: 'start' | 'phase' | 'done' | 'fail';
  phase?: string;
  index: number;
  kind?: string;
  size?: number;
  ms?: number;
  error?: string;
  heap?: number;
}

function workerMain(): void {
  const { target, seed, from } = workerData as { target: Target; seed: number; from: number };
  const bases = EXAMPLES();
  const dumps = DUMPS();
  const post = (m: FromWorker) => parentPort!.postMessage(m);
  for (let index = from; ; index++) {
    const input = makeInput(target, seed, index, bases, dumps);
    const size = input.text?.length ?? input.dumps!.reduce((n, d) => n + d.text.length, 0);
    post({ type: 'start', index, kind: input.kind, size });
    const t0 = performance.now();
    try {
      if (target === 'importer') checkDumps(input.dumps!);
      else checkTopology(input.text!, input.r!, (phase) => post({ type: 'phase', index, phase }));
      post({ type: 'done', index, ms: performance.now() - t0, heap: process.memoryUsage().heapUsed });
    } catch (e) {
      post({ type: 'fail', index, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  }
}

// ---- the main thread -------------------------------------------------------------------------------

interface Report {
  target: Target;
  tried: number;
  crashes: { index: number; error: string; file: string }[];
  hangs: { index: number; file: string; error?: string }[];
  slow: { index: number; ms: number; kind: string; size: number }[];
  peakHeapMb: number;
  /** the input after which the worker's heap was largest */
  peakHeapAt?: { index: number; kind: string; size: number };
  peakRssMb: number;
  kinds: Record<string, number>;
  extra?: string;
}

function newReport(target: Target): Report {
  return { target, tried: 0, crashes: [], hangs: [], slow: [], peakHeapMb: 0, peakRssMb: 0, kinds: {} };
}

const FINDINGS = path.join(ROOT, 'test-results', 'fuzz'); // (kept by npm run build, which empties out/)

function save(target: Target, seed: number, index: number, o: Options, what: string, error?: string): string {
  fs.mkdirSync(FINDINGS, { recursive: true });
  const input = makeInput(target, seed, index, EXAMPLES(), DUMPS());
  const file = path.join(FINDINGS, `${target}-${seed}-${index}-${what}.txt`);
  const body = input.text ?? input.dumps.map((d) => `==> ${d.name} <==\n${d.text}`).join('\n');
  fs.writeFileSync(file, `${error ? `# ${error.split('\n').join('\n# ')}\n` : ''}${body}`);
  void o;
  return file;
}

async function runWorkerTarget(target: 'core' | 'importer', o: Options): Promise<Report> {
  const rep = newReport(target);
  const deadline = Date.now() + o.minutes * 60_000;
  let next = 0;
  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 200);
  while (Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const w = new Worker(__filename, {
        workerData: { target, seed: o.seed, from: next },
        resourceLimits: { maxOldGenerationSizeMb: o.heapMb },
      });
      let current: FromWorker | undefined;
      let phase = '';
      let timer: NodeJS.Timeout | undefined;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        clearInterval(clock);
        resolve();
      };
      const clock = setInterval(() => {
        if (Date.now() >= deadline) void w.terminate().then(end);
      }, 250);
      w.on('message', (m: FromWorker) => {
        if (m.type === 'phase') phase = m.phase!;
        else if (m.type === 'start') {
          current = m;
          phase = '';
          next = m.index + 1;
          rep.tried++;
          rep.kinds[m.kind!] = (rep.kinds[m.kind!] ?? 0) + 1;
          clearTimeout(timer);
          timer = setTimeout(() => {
            // a hang: this input took longer than the budget; the next worker starts after it
            const error = `no answer in ${o.hangSeconds} s${phase ? `, in: ${phase}` : ''}`;
            rep.hangs.push({ index: m.index, error, file: save(target, o.seed, m.index, o, 'hang', error) });
            void w.terminate().then(end);
          }, o.hangSeconds * 1000);
        } else if (m.type === 'done') {
          clearTimeout(timer);
          if ((m.heap ?? 0) / 2 ** 20 > rep.peakHeapMb) {
            rep.peakHeapMb = (m.heap ?? 0) / 2 ** 20;
            rep.peakHeapAt = { index: m.index, kind: current?.kind ?? '?', size: current?.size ?? 0 };
          }
          if (m.ms! > o.slowSeconds * 1000)
            rep.slow.push({
              index: m.index,
              ms: m.ms!,
              kind: current?.kind ?? '?',
              size: current?.size ?? 0,
            });
        } else {
          clearTimeout(timer);
          rep.crashes.push({
            index: m.index,
            error: m.error!,
            file: save(target, o.seed, m.index, o, 'crash', m.error),
          });
        }
      });
      w.on('error', (e) => {
        // out of memory (ERR_WORKER_OUT_OF_MEMORY) or an uncaught error: a crash at the current input
        if (current)
          rep.crashes.push({
            index: current.index,
            error: String(e),
            file: save(target, o.seed, current.index, o, 'crash', String(e)),
          });
        end();
      });
      w.on('exit', end);
    });
  }
  clearInterval(sampler);
  // (sampled while this target ran: the process's own maximum covers every target before it too)
  rep.peakRssMb = rssPeak / 2 ** 20;
  rep.slow.sort((a, b) => b.ms - a.ms);
  return rep;
}

const REQUESTS = [
  'textDocument/hover',
  'textDocument/completion',
  'textDocument/definition',
  'textDocument/references',
  'textDocument/documentHighlight',
  'textDocument/documentSymbol',
  'textDocument/semanticTokens/full',
  'textDocument/formatting',
  'textDocument/codeAction',
  'textDocument/inlayHint',
  'textDocument/codeLens',
  'textDocument/foldingRange',
  'textDocument/selectionRange',
  'textDocument/prepareRename',
  'textDocument/rename',
  'irqtopo/domainTree',
  'irqtopo/routes',
  'irqtopo/diagram',
];

function peakRssOf(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Randomized sessions with the bundled server: edits (grown fragments too) and every request, at random places. */
async function runLsp(o: Options): Promise<Report> {
  const rep = newReport('lsp');
  const deadline = Date.now() + o.minutes * 60_000;
  const bases = EXAMPLES();
  let session = 0;
  let steps = 0;
  fs.mkdirSync(FINDINGS, { recursive: true });
  while (Date.now() < deadline) {
    const r = new Rng(inputSeed(o.seed, session));
    const c = new Client({ initializationOptions: { debounceMs: r.pick([0, 0, 50]) } });
    const log: string[] = [];
    const opened: string[] = [];
    const fail = (what: 'crash' | 'hang', error: string) => {
      const file = path.join(FINDINGS, `lsp-${o.seed}-${session}-${what}.txt`);
      fs.writeFileSync(file, `# ${error.split('\n').join('\n# ')}\n${log.join('\n')}\n`);
      // the documents as opened, whole (the log shows their start)
      opened.forEach((t, i) => fs.writeFileSync(file.replace(/\.txt$/, `-doc${i}.irqtopo`), t));
      (what === 'crash' ? rep.crashes : rep.hangs).push({ index: session, error, file });
    };
    try {
      await c.start();
      const docs = new Map<string, string>();
      const n = 1 + r.int(3);
      for (let i = 0; i < n; i++) {
        const uri = `untitled:fuzz-${session}-${i}.irqtopo`;
        const t = r.chance(0.5) ? r.pick(bases) : topologyInput(r, bases).text.slice(0, 500_000);
        docs.set(uri, t);
        opened.push(t);
        log.push(
          `open ${uri} ${JSON.stringify(t.slice(0, 2000))}${t.length > 2000 ? `… (${t.length})` : ''}`,
        );
        void c.open(uri, t);
      }
      const uris = [...docs.keys()];
      for (let k = 0, ops = r.grow(3000); k < ops && Date.now() < deadline; k++) {
        steps++;
        const uri = r.pick(uris);
        const text = docs.get(uri)!;
        const lines = text.split(/\r\n|\r|\n/);
        const p = () => ({ line: r.int(lines.length + 3), character: r.int(200) });
        if (r.chance(0.5)) {
          // an edit addressed by line and character, as a client sends it (past the end too)
          const start = p();
          const end = r.chance(0.5) ? start : p();
          const [a, b] =
            start.line < end.line || (start.line === end.line && start.character <= end.character)
              ? [start, end]
              : [end, start];
          const insert = editText(r).slice(0, 200_000);
          const range: Range = { start: a, end: b };
          docs.set(uri, applyEdits(text, [{ range, newText: insert }]));
          log.push(`change ${uri} ${JSON.stringify(range)} ${JSON.stringify(insert.slice(0, 500))}`);
          await c.changeNoWait(uri, r.chance(0.05) ? [{ text: docs.get(uri)! }] : [{ range, text: insert }]);
          continue;
        }
        const method = r.pick(REQUESTS);
        const td = { textDocument: { uri } };
        const at = p();
        const params: Record<string, unknown> = {
          ...td,
          position: at,
          positions: [at],
          newName: r.pick(['X', 'a b', '']),
          options: { tabSize: 2, insertSpaces: true },
          context: { includeDeclaration: true, diagnostics: c.latest.get(uri)?.diagnostics ?? [] },
          range: { start: p(), end: p() },
          uri,
        };
        log.push(`request ${method} ${JSON.stringify(at)}`);
        const t0 = performance.now();
        const answer = c.connection.sendRequest(method, params).then(
          () => undefined,
          (e: { code?: number; message?: string }) => {
            // a refusal (RequestFailed, -32803) is an answer; an internal error is not
            if (e.code !== -32803 && e.code !== -32800) throw new Error(`${method}: ${e.code} ${e.message}`);
          },
        );
        await Promise.race([
          answer,
          new Promise((_, reject) =>
            setTimeout(
              () => reject(new Error(`${method}: no answer in ${o.hangSeconds} s`)),
              o.hangSeconds * 1000,
            ),
          ),
        ]);
        const ms = performance.now() - t0;
        if (ms > o.slowSeconds * 1000) rep.slow.push({ index: session, ms, kind: method, size: text.length });
        if (c.exited !== null) throw new Error(`the server exited (${c.exited}): ${c.stderr.slice(-2000)}`);
      }
      rep.tried++;
      if (c.errors.length) fail('crash', `the server logged errors:\n${c.errors.slice(0, 5).join('\n')}`);
      rep.peakRssMb = Math.max(rep.peakRssMb, peakRssOf(c.proc.pid));
    } catch (e) {
      rep.tried++;
      const msg = e instanceof Error ? e.message : String(e);
      fail(/no answer in/.test(msg) ? 'hang' : 'crash', msg);
    } finally {
      rep.peakRssMb = Math.max(rep.peakRssMb, peakRssOf(c.proc.pid));
      await c.stop();
    }
    session++;
  }
  rep.kinds = { sessions: session, steps };
  rep.extra = `${steps} steps (edits and requests) in ${session} sessions`;
  return rep;
}

/** One input again, in this thread: each phase and its time; the error, if any. */
function replay(o: Options): void {
  const target = o.targets[0] === 'importer' ? 'importer' : 'core';
  const input = makeInput(target, o.seed, o.replay!, EXAMPLES(), DUMPS());
  console.log(
    `${target} input ${o.replay} of seed ${o.seed}: ${input.kind}, ${input.text?.length ?? input.dumps!.reduce((n, d) => n + d.text.length, 0)} characters`,
  );
  let last = performance.now();
  let current = 'start';
  const step = (phase: string) => {
    const now = performance.now();
    console.log(`  ${(now - last).toFixed(0).padStart(7)} ms  ${current}`);
    last = now;
    current = phase;
  };
  try {
    if (target === 'importer') checkDumps(input.dumps!);
    else checkTopology(input.text!, input.r!, step);
    step('end');
  } catch (e) {
    step('end');
    console.log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  if (o.replay !== undefined) return replay(o);
  console.log(
    `fuzz campaign: seed ${o.seed}, ${o.minutes} min per target (${o.targets.join(', ')}), a hang is an input over ${o.hangSeconds} s, slow over ${o.slowSeconds} s, worker heap ${o.heapMb} MB`,
  );
  const reports: Report[] = [];
  for (const t of o.targets) {
    const t0 = Date.now();
    const rep = t === 'lsp' ? await runLsp(o) : await runWorkerTarget(t, o);
    reports.push(rep);
    console.log(
      `\n${t}: ${rep.tried} ${t === 'lsp' ? 'sessions' : 'inputs'} in ${((Date.now() - t0) / 1000).toFixed(0)} s${rep.extra ? ` (${rep.extra})` : ''}; ${rep.crashes.length} crashes, ${rep.hangs.length} hangs, ${rep.slow.length} slow; peak ${t === 'lsp' ? 'server RSS' : `worker heap ${rep.peakHeapMb.toFixed(0)} MB, process RSS`} ${rep.peakRssMb.toFixed(0)} MB`,
    );
    if (t !== 'lsp') console.log(`  inputs by kind: ${JSON.stringify(rep.kinds)}`);
    if (rep.peakHeapAt)
      console.log(
        `  largest heap after input ${rep.peakHeapAt.index} (${rep.peakHeapAt.kind}, ${rep.peakHeapAt.size} characters)`,
      );
    for (const c of rep.crashes.slice(0, 10))
      console.log(`  crash at ${c.index}: ${c.error.split('\n')[0]}\n    ${c.file}`);
    for (const h of rep.hangs.slice(0, 10))
      console.log(`  hang at ${h.index}: ${h.error ?? ''}\n    ${h.file}`);
    for (const s of rep.slow.slice(0, 5))
      console.log(`  slow: input ${s.index} (${s.kind}, ${s.size} chars) ${s.ms.toFixed(0)} ms`);
  }
  const bad = reports.reduce((n, r) => n + r.crashes.length + r.hangs.length, 0);
  console.log(
    `\npeak RSS of this process (main thread and workers): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  console.log(
    `\n${bad ? `${bad} failures: inputs saved under ${FINDINGS}` : 'no crash, no hang'} (reproduce one: --seed ${o.seed} and its index)`,
  );
  process.exit(bad ? 1 : 0);
}

if (isMainThread) void main();
else workerMain();
