// "irqtopo: Import from This Machine" and "irqtopo: Import from Files…": the server runs the importer
// (`irqtopo/import`, the same code as `irqtopo import`) and the result opens as a new irqtopo document.
// The problems come back as data (file, line, column); the count below is read from them.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ImportRequest, type ImportParams, type ImportResultPayload } from '../../server/src/protocol';

/** The import writes the v2 language (possible-cpus, node, smt, apic, irte, inactive): the parser reads it. */
const IMPORT_V2 = true;

export async function runImport(
  client: LanguageClient,
  log: vscode.OutputChannel,
  paths: string[],
): Promise<vscode.TextEditor | undefined> {
  const what = paths.length ? paths.map((p) => p.split(/[\\/]/).pop()).join(', ') : 'this machine';
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `irqtopo: importing ${what}…` },
    () =>
      client.sendRequest<ImportResultPayload>(ImportRequest.method, {
        paths,
        v2: IMPORT_V2,
      } satisfies ImportParams),
  );
  log.appendLine(
    `[import] ${paths.length ? paths.join(' ') : '/proc/interrupts, /sys/kernel/debug/irq'}: status ${result.status}`,
  );
  for (const m of result.messages) log.appendLine(`  ${m}`);
  if (result.status === 2 || result.text.trim() === '') {
    const choice = await vscode.window.showErrorMessage(
      `irqtopo: the import failed: ${result.messages[0] ?? 'no output'}`,
      'Show Details',
    );
    if (choice) log.show(true);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'irqtopo', content: result.text });
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  if (result.messages.length) {
    const problems = (result.problems ?? []).filter(
      (p) => p.severity === 'error' || p.severity === 'warning',
    ).length;
    void vscode.window
      .showWarningMessage(
        `irqtopo: imported ${what} with ${result.messages.length} note${result.messages.length > 1 ? 's' : ''}` +
          (problems ? ` (${problems} problems)` : '') +
          (result.status === 1 ? '; an input was not understood at all' : ''),
        'Show Details',
      )
      .then((c) => c && log.show(true));
  }
  return editor;
}

export function registerImportCommands(
  client: LanguageClient,
  log: vscode.OutputChannel,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('irqtopo.importMachine', () => runImport(client, log, [])),
    vscode.commands.registerCommand('irqtopo.importFiles', async (uris?: unknown) => {
      // from a test or another extension: a list of URIs; from the palette: ask
      let picked: readonly vscode.Uri[] | undefined = Array.isArray(uris)
        ? uris.filter((u): u is vscode.Uri => u instanceof vscode.Uri)
        : undefined;
      if (!picked?.length)
        picked = await vscode.window.showOpenDialog({
          canSelectFiles: true,
          canSelectFolders: true,
          canSelectMany: true,
          openLabel: 'Import',
          title: 'Kernel dumps: /proc/interrupts, /sys/kernel/debug/irq files or folders',
        });
      if (!picked?.length) return undefined;
      const local = picked.filter((u) => u.scheme === 'file');
      if (local.length < picked.length)
        void vscode.window.showWarningMessage(
          'irqtopo: only files on disk can be imported; skipped the others.',
        );
      if (!local.length) return undefined;
      return runImport(
        client,
        log,
        local.map((u) => u.fsPath),
      );
    }),
  ];
}
