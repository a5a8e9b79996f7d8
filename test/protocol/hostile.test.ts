// While a hostile file is open (issue 13's list), the server still answers a hover in another file:
// right after the hostile file is opened, once its diagnostics are out, and right after an edit of
// it. The times are printed (issue 13 asks for 100 ms); the test bounds them only generously, as
// the suite never asserts speed (npm run bench measures it).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Hover } from 'vscode-languageserver-protocol/node';
import { Client, ROOT, uriOf } from './client';

const HEAD = 'arch x86\ncpus 0-7\ndomain VECTOR : vector\n';

/** Issue 13's hostile inputs: a 16.8 KB apic-ids list, a 2,000-domain parent cycle, 30 x 65,536 virtual irqs. */
export const HOSTILE: Record<string, string> = {
  'apic-ids': `${HEAD}apic-ids ${'0-65535,'.repeat(2100)}0\n`,
  'parent-cycle':
    HEAD +
    Array.from({ length: 2000 }, (_, i) => `domain D${i} : remap { parent D${(i + 1) % 2000} }\n`).join(''),
  'virtual-irqs':
    HEAD + 'device d { pci 0000:01:00.0; msix 8 }\n' + 'irq d.q[0..65535] : virtual\n'.repeat(30),
};

/** Far above the 100 ms aim: the test fails only when the server does not answer at all. */
const BOUND_MS = 20_000;

describe('language server: a hostile file open (issue 13)', function () {
  this.timeout(300_000);

  it('answers a hover in another file while a hostile file is open', async () => {
    const c = new Client(); // the default, adaptive debounce: as an editor runs it
    const figures: string[] = [];
    try {
      await c.start();
      const file = path.join(ROOT, 'examples', 'two-ir-units.irqtopo');
      const uri = uriOf(file);
      const text = fs.readFileSync(file, 'utf8');
      await c.open(uri, text);
      const line = text.split('\n').findIndex((l) => l.startsWith('domain IR-1 '));
      const hover = async (): Promise<number> => {
        const t0 = performance.now();
        const h = await Promise.race([
          c.connection.sendRequest<Hover | null>('textDocument/hover', {
            textDocument: { uri },
            position: { line, character: 8 },
          }),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), BOUND_MS)),
        ]);
        const ms = performance.now() - t0;
        assert.match(
          (h?.contents as { value: string } | undefined)?.value ?? '',
          /Parent chain: IR-1 → VECTOR/,
        );
        return ms;
      };
      for (const [name, hostile] of Object.entries(HOSTILE)) {
        const huri = `untitled:hostile-${name}.irqtopo`;
        const t0 = performance.now();
        const opened = c.open(huri, hostile);
        const afterOpen = await hover();
        const published = await opened;
        const analysis = performance.now() - t0;
        assert.ok(Array.isArray(published.diagnostics));
        const whileOpen = await hover();
        const version = await c.changeNoWait(huri, [
          { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' },
        ]);
        const afterEdit = await hover();
        await c.diagnostics(huri, version);
        figures.push(
          `${name.padEnd(13)} open -> its diagnostics ${analysis.toFixed(0).padStart(6)} ms; hover in another file: ` +
            `right after the open ${afterOpen.toFixed(1)} ms, while open ${whileOpen.toFixed(1)} ms, right after an edit ${afterEdit.toFixed(1)} ms`,
        );
      }
      assert.equal(c.exited, null);
      assert.deepEqual(c.errors, []);
    } finally {
      console.log(figures.map((f) => `      ${f}`).join('\n'));
      await c.stop();
    }
  });
});
