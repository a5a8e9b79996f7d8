// Extension-test entry point (the `extensionTestsPath` module): VS Code's extension host calls run()
// after loading the extension under development, in a desktop VS Code (@vscode/test-electron) or in
// code-server (test/e2e/vscode-shim.mjs). Results also go to the file named by IRQTOPO_E2E_RESULTS,
// which is how the code-server driver learns the outcome (a browser window cannot exit with a code).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface SuiteResults {
  passed: string[];
  failed: { title: string; error: string }[];
  pending: string[];
  /** the mocha spec report, as text */
  report: string;
}

function depth(x: { parent?: unknown }): number {
  let n = 0;
  for (
    let p = x.parent as { parent?: unknown; root?: boolean } | undefined;
    p && !p.root;
    p = p.parent as typeof p
  )
    n++;
  return n;
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  const grep = process.env.IRQTOPO_E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  }
  const results: SuiteResults = { passed: [], failed: [], pending: [], report: '' };
  // the driver prints this report (the spec reporter's console output stays in the extension host log)
  const lines: string[] = [];
  let failures: number;
  try {
    failures = await new Promise<number>((resolve) => {
      const runner = mocha.run(resolve);
      runner.on('suite', (su) => {
        if (su.title) lines.push(`${'  '.repeat(depth(su))}${su.title}`);
      });
      runner.on('pass', (t) => {
        results.passed.push(t.fullTitle());
        lines.push(`${'  '.repeat(depth(t))}\u2714 ${t.title} (${t.duration ?? 0} ms)`);
      });
      runner.on('pending', (t) => {
        results.pending.push(t.fullTitle());
        lines.push(`${'  '.repeat(depth(t))}- ${t.title}`);
      });
      runner.on('fail', (t, err: unknown) => {
        const e = err as { stack?: string; message?: string };
        results.failed.push({ title: t.fullTitle(), error: String(e?.stack ?? e?.message ?? err) });
        lines.push(`${'  '.repeat(depth(t))}\u2716 ${t.title}: ${e?.message ?? String(err)}`);
      });
    });
  } catch (e) {
    failures = 1;
    results.failed.push({ title: 'mocha', error: String((e as Error)?.stack ?? e) });
  }
  lines.push(
    '',
    `${results.passed.length} passing, ${results.failed.length} failing, ${results.pending.length} pending`,
  );
  results.report = lines.join('\n');
  const out = process.env.IRQTOPO_E2E_RESULTS;
  if (out) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(`${out}.tmp`, JSON.stringify(results, null, 2));
    fs.renameSync(`${out}.tmp`, out); // the driver never reads a half-written file
  }
  if (failures > 0) throw new Error(`${failures} extension test(s) failed`);
}
