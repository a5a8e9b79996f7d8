// `irqtopo/import` over stdio: registered by its type, work-done progress on the client's token
// ($/progress begin, reports, end), cancellation ($/cancelRequest -> RequestCancelled), and bad
// parameters answered as the CLI would.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancellationTokenSource, WorkDoneProgress } from 'vscode-languageserver-protocol/node';
import { ImportRequest } from '../../server/src/protocol';
import { Client, ROOT } from './client';

const DUMP = path.join(ROOT, 'test', 'fixtures', 'sim', 'proc-interrupts-2cpu.txt');

type Progress = { kind: 'begin' | 'report' | 'end'; title?: string; message?: string; cancellable?: boolean };

describe('language server: irqtopo/import', function () {
  this.timeout(60000);
  let c: Client;
  before(async () => {
    c = new Client({ initializationOptions: { debounceMs: 0 } });
    await c.start();
  });
  after(() => c.stop());

  it('imports a dump with progress on the client token', async () => {
    const seen: Progress[] = [];
    const sub = c.connection.onProgress(WorkDoneProgress.type, 'import-1', (v) => {
      seen.push(v);
    });
    const r = await c.connection.sendRequest(ImportRequest, { paths: [DUMP], workDoneToken: 'import-1' });
    sub.dispose();
    assert.equal(r.status, 0, r.messages.join('\n'));
    assert.match(r.text, /^arch x86/m);
    assert.equal(seen[0]?.kind, 'begin');
    assert.equal(seen[0]?.cancellable, true);
    assert.ok(
      seen.some((p) => p.kind === 'report' && /1 sources? read/.test(p.message ?? '')),
      JSON.stringify(seen),
    );
    assert.equal(seen[seen.length - 1]?.kind, 'end');
  });

  it('stops when the request is cancelled', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-import-'));
    try {
      // many dumps: the import is still reading when the cancellation arrives
      const text = fs.readFileSync(DUMP, 'utf8');
      for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(dir, `dump-${i}.txt`), text);
      const source = new CancellationTokenSource();
      let reports = 0;
      const sub = c.connection.onProgress(WorkDoneProgress.type, 'import-2', (v) => {
        if ((v as Progress).kind === 'report' && ++reports === 1) source.cancel();
      });
      await assert.rejects(
        c.connection.sendRequest(ImportRequest, { paths: [dir], workDoneToken: 'import-2' }, source.token),
        (e: { code: number; message: string }) => e.code === -32800 && /cancelled/.test(e.message),
      );
      sub.dispose();
      assert.ok(reports < 400, `stopped early (${reports} files read)`);
      // the server goes on answering
      const again = await c.connection.sendRequest(ImportRequest, { paths: [DUMP] });
      assert.equal(again.status, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers bad parameters as the CLI exits on usage errors', async () => {
    const r = await c.connection.sendRequest(ImportRequest, { paths: ['relative/path'] });
    assert.equal(r.status, 2);
    assert.match(r.messages[0], /is not an absolute path/);
  });
});
