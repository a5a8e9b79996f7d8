// The `irqtopo` task type in a real VS Code: the provider offers `irqtopo: check` for the workspace
// folder (runTests opens a copy of examples/), and running it puts `irqtopo check`'s findings in the
// Problems panel through the `$irqtopo` problem matcher, with no file open.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
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

  it('a verify task (tasks.json) runs irqtopo verify on each file in turn, in its terminal', async () => {
    await api();
    const folder = vscode.workspace.workspaceFolders![0];
    const dir = path.join(folder.uri.fsPath, '.vscode');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'tasks.json'),
      JSON.stringify({
        version: '2.0.0',
        tasks: [
          {
            type: 'irqtopo',
            command: 'verify',
            files: ['two-ir-units.irqtopo', 'two-socket.irqtopo'],
            label: 'irqtopo: verify two',
            problemMatcher: ['$irqtopo'],
          },
        ],
      }),
    );
    // tasks.json is read again when it changes: look for its task until it is there
    let task: vscode.Task | undefined;
    for (let i = 0; i < 150 && !task; i++) {
      task = (await vscode.tasks.fetchTasks({ type: 'irqtopo' })).find(
        (x) => x.name === 'irqtopo: verify two',
      );
      if (!task) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(task, 'the verify task of tasks.json');
    assert.equal(task.definition.command, 'verify');
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name !== 'irqtopo: verify two') return;
        sub.dispose();
        resolve(e.exitCode);
      });
    });
    await vscode.tasks.executeTask(task);
    assert.equal(await ended, 0, 'irqtopo verify exits 0 on both files');
  });
});
