// The `irqtopo` task type in a real VS Code: the provider offers `irqtopo: check` for the workspace
// folder (runTests opens a copy of examples/), and running it puts `irqtopo check`'s findings in the
// Problems panel through the `$irqtopo` problem matcher, with no file open.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, codeOf, example, waitFor } from './util';

describe('the irqtopo task and the $irqtopo problem matcher', () => {
  it('runs irqtopo check on the workspace and reports its findings as problems', async () => {
    await api(); // activated
    const tasks = await vscode.tasks.fetchTasks({ type: 'irqtopo' });
    const check = tasks.find((t) => t.name === 'check');
    assert.ok(check, `tasks: ${tasks.map((t) => `${t.source}: ${t.name}`).join(', ')}`);
    assert.equal(check.definition.command, 'check');
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type !== 'irqtopo') return;
        sub.dispose();
        resolve(e.exitCode);
      });
    });
    await vscode.tasks.executeTask(check);
    assert.equal(await ended, 1, 'irqtopo check exits 1: the workspace holds an example with an error');

    // problem-matcher markers carry the matcher's source; the language server's have none of it
    const fromTask = (uri: vscode.Uri) =>
      vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'irqtopo check');
    const bad = example('ims-under-pci-msi.irqtopo');
    const ntbFile = example('ntb-virtual.irqtopo');
    // the markers of each file arrive on their own: wait for both files'
    const found = await waitFor(
      'the task’s problems in ims-under-pci-msi.irqtopo and ntb-virtual.irqtopo',
      () => {
        const d = fromTask(bad).find((x) => codeOf(x) === 'ims-parent-pci-msi');
        return d && fromTask(ntbFile).length > 0 ? d : undefined;
      },
      [vscode.languages.onDidChangeDiagnostics],
      30_000,
    );
    assert.equal(found.severity, vscode.DiagnosticSeverity.Error);
    assert.match(found.message, /PCI\/MSI/);
    const doc = await vscode.workspace.openTextDocument(bad);
    assert.match(doc.lineAt(found.range.start.line).text, /\bparent\b/, 'on the parent reference');
    // the related place (a `note:` line) is no problem of its own
    assert.equal(
      fromTask(bad).length,
      1,
      fromTask(bad)
        .map((d) => d.message)
        .join('\n'),
    );
    const ntb = fromTask(ntbFile);
    assert.deepEqual(
      ntb.map((d) => [codeOf(d), d.severity]),
      [['virtual-msix', vscode.DiagnosticSeverity.Warning]],
    );
    assert.deepEqual(fromTask(example('two-ir-units.irqtopo')), []);
  });
});
