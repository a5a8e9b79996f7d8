// The real `vscode` API, the real extension, the real language server: open an example and check
// what VS Code receives.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { codeOf, example, extension, waitFor } from './util';

function requireServer(): void {
  const serverJs = path.join(extension().extensionPath, 'dist', 'server.js');
  assert.ok(fs.existsSync(serverJs), `the language server bundle ${serverJs} does not exist (npm run build)`);
}

describe('irqtopo in VS Code', () => {
  it('contributes the irqtopo language for *.irqtopo files', async () => {
    const languages = await vscode.languages.getLanguages();
    assert.ok(languages.includes('irqtopo'), `languages: ${languages.join(', ')}`);
  });

  it('activates on opening a topology file (onLanguage:irqtopo)', async () => {
    const ext = extension();
    const doc = await vscode.workspace.openTextDocument(example('two-ir-units.irqtopo'));
    assert.equal(doc.languageId, 'irqtopo');
    await vscode.window.showTextDocument(doc);
    await waitFor(
      'the extension to activate after an .irqtopo file was opened',
      () => (ext.isActive ? true : undefined),
      [vscode.extensions.onDidChange],
      30_000,
    );
  });

  it('reports ims-parent-pci-msi on the IMS domain parented to PCI/MSI (examples/ims-under-pci-msi.irqtopo)', async () => {
    const uri = example('ims-under-pci-msi.irqtopo');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const serverJs = path.join(extension().extensionPath, 'dist', 'server.js');
    assert.ok(
      fs.existsSync(serverJs),
      `the language server bundle ${serverJs} does not exist (npm run build)`,
    );
    const found = await waitFor(
      "the language server's ims-parent-pci-msi diagnostic",
      () => {
        const ds = vscode.languages.getDiagnostics(uri).filter((d) => codeOf(d) === 'ims-parent-pci-msi');
        return ds.length > 0 ? ds : undefined;
      },
      [vscode.languages.onDidChangeDiagnostics],
    );
    const all = vscode.languages.getDiagnostics(uri);
    for (const d of found) {
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error, 'ims-parent-pci-msi is an error (RULES.md)');
      // it sits on the parent reference of an ims-like domain: `parent NAME` inside that domain's block
      const line = doc.lineAt(d.range.start.line).text;
      const named = doc.getText(d.range).replace(/^"|"$/g, '');
      assert.ok(named.length > 0, 'the diagnostic range is not empty');
      assert.match(line, new RegExp(`\\bparent\\s+"?${named.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), line);
      assert.match(d.message, /PCI\/MSI/, d.message);
      assert.ok(
        (d.relatedInformation ?? []).length > 0,
        'the pci-msi parent is attached as related information',
      );
    }
    // the example holds exactly the layering error it is named after: no syntax errors on the way
    assert.deepEqual(
      all.filter((d) => codeOf(d) === 'syntax').map((d) => d.message),
      [],
      'syntax errors in the example',
    );
  });

  it('clears a diagnostic once the text is fixed, and brings it back', async () => {
    const uri = example('ims-under-pci-msi.irqtopo');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    requireServer();
    const before = await waitFor(
      'ims-parent-pci-msi',
      () => {
        const d = vscode.languages.getDiagnostics(uri).find((x) => codeOf(x) === 'ims-parent-pci-msi');
        return d;
      },
      [vscode.languages.onDidChangeDiagnostics],
    );
    // cut the whole `parent X` property: the IMS domain then lacks a parent, which is another error,
    // but no longer this one
    const original = doc.getText();
    const line = doc.lineAt(before.range.start.line);
    const start = line.text.indexOf('parent');
    const propRange = new vscode.Range(
      line.lineNumber,
      start,
      before.range.end.line,
      before.range.end.character,
    );
    try {
      assert.ok(await editor.edit((e) => e.replace(propRange, 'parent NO-SUCH-DOMAIN')));
      await waitFor(
        'ims-parent-pci-msi to disappear after the edit',
        () =>
          vscode.languages.getDiagnostics(uri).some((x) => codeOf(x) === 'ims-parent-pci-msi')
            ? undefined
            : true,
        [vscode.languages.onDidChangeDiagnostics],
      );
      const unknown = vscode.languages.getDiagnostics(uri).filter((x) => codeOf(x) === 'unknown-name');
      assert.ok(unknown.length > 0, 'the unknown parent is reported as unknown-name');
    } finally {
      const all = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
      await editor.edit((e) => e.replace(all, original));
    }
    await waitFor(
      'ims-parent-pci-msi to come back after undoing the edit',
      () =>
        vscode.languages.getDiagnostics(uri).some((x) => codeOf(x) === 'ims-parent-pci-msi')
          ? true
          : undefined,
      [vscode.languages.onDidChangeDiagnostics],
    );
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
