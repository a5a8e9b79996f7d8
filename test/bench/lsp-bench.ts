// Language server bench: the time from didChange to publishDiagnostics over stdio, against the
// bundled server (dist/server.js --stdio) with its default (adaptive) debounce, for generated
// 1,000-, 10,000- and 100,000-line topologies. Median of several edits after a warm-up edit.
import { Client } from '../protocol/client';
import { generateTopology } from './generate';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const AIM: Record<number, number> = { 1000: 10, 10000: 30, 100000: 150 };

export async function benchLsp(): Promise<string[]> {
  const lines = [
    '## Language server: didChange -> publishDiagnostics over stdio (ms)',
    '| lines | irqs | open -> diagnostics | edits | median (after a pause) | min | max | aim | median (back-to-back) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const n of [1000, 10000, 100000]) {
    const { text, irqs } = generateTopology({ lines: n });
    const c = new Client();
    try {
      await c.start();
      const uri = `untitled:bench-${n}.irqtopo`;
      const t0 = performance.now();
      await c.open(uri, text);
      const open = performance.now() - t0;
      const edits = n >= 100000 ? 5 : 9;
      const textLines = text.split('\n');
      const run = async (pause: boolean): Promise<number[]> => {
        const times: number[] = [];
        for (let i = 0; i <= edits; i++) {
          // alternate: insert a comment line in the middle, then remove it again
          const line = Math.floor(textLines.length / 2);
          const change =
            i % 2 === 0
              ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '# edited\n' }
              : { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' };
          // a typist's pause: the server sees an isolated edit (not part of a burst)
          if (pause) await new Promise((r) => setTimeout(r, 100));
          const t = performance.now();
          await c.change(uri, [change]);
          if (i > 0) times.push(performance.now() - t); // the first edit warms up
        }
        return times;
      };
      const times = await run(true);
      const burst = await run(false);
      lines.push(
        `| ${n.toLocaleString('en')} | ${irqs} | ${open.toFixed(0)} | ${times.length} | ${median(times).toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${AIM[n]} | ${median(burst).toFixed(1)} |`,
      );
    } finally {
      await c.stop();
    }
  }
  lines.push(
    '',
    'Each edit inserts or removes a comment line in the middle of the file; the time runs from sending didChange to',
    'receiving the publishDiagnostics of that version. Debounce: an edit after a quiet period is checked at once;',
    'edits within the interval (twice the last check of the document, at most 50 ms) are coalesced, so back-to-back',
    'edits include up to that delay. The figures include the whole analysis (parse, model, checks, simulation).',
  );
  return lines;
}

if (require.main === module) {
  void benchLsp().then((l) => console.log(l.join('\n')));
}
