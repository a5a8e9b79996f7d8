// Restart Language Server and Show Output, as a user runs them from the Command Palette.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, example, extension, waitFor } from './util';

interface ClientApi {
  client: { state: number; onDidChangeState: vscode.Event<{ oldState: number; newState: number }> };
}

const RUNNING = 2; // vscode-languageclient State.Running

describe('server commands', () => {
  it('irqtopo: Restart Language Server restarts it, and diagnostics come back', async () => {
    const api = (await extension().activate()) as ClientApi;
    const uri = example('ims-under-pci-msi.irqtopo');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await waitFor(
      'the first diagnostics',
      () =>
        vscode.languages.getDiagnostics(uri).some((d) => codeOf(d) === 'ims-parent-pci-msi')
          ? true
          : undefined,
      [vscode.languages.onDidChangeDiagnostics],
    );
    const states: number[] = [];
    const sub = api.client.onDidChangeState((e) => states.push(e.newState));
    try {
      await vscode.commands.executeCommand('irqtopo.restartServer');
    } finally {
      sub.dispose();
    }
    assert.ok(states.length >= 2, `the client went through states ${states.join(', ')}`);
    assert.equal(api.client.state, RUNNING);
    await waitFor(
      'the diagnostics from the restarted server',
      () =>
        vscode.languages.getDiagnostics(uri).some((d) => codeOf(d) === 'ims-parent-pci-msi')
          ? true
          : undefined,
      [vscode.languages.onDidChangeDiagnostics],
    );
  });

  it('irqtopo: Show Output is registered and runs (a missing command rejects)', async () => {
    await vscode.commands.executeCommand('irqtopo.showOutput');
  });
});
