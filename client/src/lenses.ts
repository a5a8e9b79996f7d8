// Which "Show route" code lenses the editor shows (the server offers them on device and irq lines):
// `irqtopo.codeLens.enabled` turns them off, `irqtopo.codeLens.interrupts` adds those on irq lines
// (off by default: one lens per device keeps the file's height). A client middleware filters them.
import * as vscode from 'vscode';
import { CodeLensRequest, type LanguageClient, type Middleware } from 'vscode-languageclient/node';

export function lensSettings(uri?: vscode.Uri): { enabled: boolean; interrupts: boolean } {
  const c = vscode.workspace.getConfiguration('irqtopo.codeLens', uri);
  return {
    enabled: c.get<boolean>('enabled', true) !== false,
    interrupts: c.get<boolean>('interrupts', false) === true,
  };
}

export const lensMiddleware: Middleware = {
  async provideCodeLenses(document, token, next) {
    const lenses = await next(document, token);
    if (!lenses) return lenses;
    const s = lensSettings(document.uri);
    if (!s.enabled) return [];
    if (s.interrupts) return lenses;
    return lenses.filter((l) => {
      const line = l.range.start.line < document.lineCount ? document.lineAt(l.range.start.line).text : '';
      return !/^\s*irq\b/.test(line);
    });
  },
};

/** Asks the editor for the lenses again when the settings change. */
export function watchLensSettings(client: LanguageClient): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('irqtopo.codeLens')) return;
    const feature = client.getFeature(CodeLensRequest.method);
    for (const ed of vscode.window.visibleTextEditors) {
      const p = feature?.getProvider(ed.document);
      p?.onDidChangeCodeLensEmitter.fire();
    }
  });
}
