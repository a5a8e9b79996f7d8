// Rule links. The server gives each diagnostic's code a file: URL of its section in docs/rules.md
// (shipped beside the bundles), which any editor can open. In VS Code, where that opens the Markdown
// source at line 1, the client rewrites the link to the `irqtopo.showRule` command, which opens the
// rendered page (the built-in Markdown preview) at the code's section.
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import { ruleCodeOfHref } from './shared/rules';

export const SHOW_RULE_COMMAND = 'irqtopo.showRule';

export function ruleCommandUri(code: string): vscode.Uri {
  return vscode.Uri.parse(`command:${SHOW_RULE_COMMAND}?${encodeURIComponent(JSON.stringify([code]))}`);
}

/** The client middleware that rewrites rule links in published diagnostics. */
export const rulesMiddleware: Middleware = {
  handleDiagnostics(uri, diagnostics, next) {
    for (const d of diagnostics) {
      const c = d.code;
      if (typeof c !== 'object' || c === null || !('target' in c)) continue;
      const code = ruleCodeOfHref(c.target.toString(true));
      if (code) d.code = { value: c.value, target: ruleCommandUri(code) };
    }
    next(uri, diagnostics);
  },
};

/** Opens docs/rules.md rendered, at `code`'s section (its heading is `` ## `code` ``). */
export async function showRule(context: vscode.ExtensionContext, code: unknown): Promise<void> {
  const file = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules.md');
  const anchor = typeof code === 'string' && /^[a-z0-9-]{1,64}$/.test(code) ? code : '';
  try {
    // the preview scrolls to the heading whose slug is the fragment
    await vscode.commands.executeCommand(
      'markdown.showPreviewToSide',
      anchor ? file.with({ fragment: anchor }) : file,
    );
    return;
  } catch {
    // no Markdown preview (the built-in extension disabled): the source, at the heading
  }
  const doc = await vscode.workspace.openTextDocument(file);
  const line = anchor
    ? doc
        .getText()
        .split('\n')
        .findIndex((l) => l.startsWith(`## \`${anchor}\``))
    : 0;
  const pos = new vscode.Position(Math.max(0, line), 0);
  await vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.Beside,
    selection: new vscode.Range(pos, pos),
    preview: true,
  });
}
