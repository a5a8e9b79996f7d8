// The import commands (issue 6): "irqtopo: Import from Files…" with a kernel dump, and "irqtopo:
// Import from This Machine", each opening the imported topology as a new irqtopo document that the
// language server then checks.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, codeOf, extension, waitFor } from './util';

/**
 * Runs an import command and resolves with its editor and the diagnostics the server then publishes
 * for the new document (listening starts before the command, so the first publish is not missed).
 */
async function importAndCheck(
  command: string,
  ...args: unknown[]
): Promise<{ editor: vscode.TextEditor; diagnostics: vscode.Diagnostic[] }> {
  const published = new Set<string>();
  const sub = vscode.languages.onDidChangeDiagnostics((e) =>
    e.uris.forEach((u) => published.add(u.toString())),
  );
  try {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>(command, ...args);
    assert.ok(editor, `${command} opened an editor`);
    const uri = editor.document.uri;
    await waitFor(
      'the server to publish diagnostics for the imported document',
      () => (published.has(uri.toString()) ? true : undefined),
      [vscode.languages.onDidChangeDiagnostics],
      60_000,
    );
    return { editor, diagnostics: vscode.languages.getDiagnostics(uri) };
  } finally {
    sub.dispose();
  }
}

describe('import commands', () => {
  before(async () => {
    await api();
  });

  it('Import from Files… opens the imported Intel desktop dump as a topology without errors', async () => {
    const dump = path.join(
      extension().extensionPath,
      'test',
      'fixtures',
      'dumps',
      'x86-intel-desktop-32cpu-IR_martins3_int-procfs.txt',
    );
    assert.ok(fs.existsSync(dump), dump);
    const { editor, diagnostics } = await importAndCheck('irqtopo.importFiles', [vscode.Uri.file(dump)]);
    const doc = editor.document;
    assert.equal(doc.languageId, 'irqtopo');
    assert.equal(doc.isUntitled, true);
    const text = doc.getText();
    assert.match(text, /^arch x86$/m);
    assert.match(text, /^domain INTEL-IR-0 : remap/m);
    assert.match(text, /^domain DMAR-MSI : dmar-msi/m);
    const errors = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(
      errors.map((d) => `${d.range.start.line + 1} ${codeOf(d)}: ${d.message}`),
      [],
    );
  });

  it('Import from This Machine opens this machine’s /proc/interrupts as a topology', async function () {
    if (!fs.existsSync('/proc/interrupts')) this.skip(); // not Linux: nothing to import
    const { editor, diagnostics } = await importAndCheck('irqtopo.importMachine');
    const text = editor.document.getText();
    assert.equal(editor.document.languageId, 'irqtopo');
    assert.match(text, /^arch (x86|arm64|riscv)$/m);
    assert.match(text, /^cpus \d/m);
    const syntax = diagnostics.filter((d) => codeOf(d) === 'syntax');
    assert.deepEqual(
      syntax.map((d) => d.message),
      [],
    );
  });
});
