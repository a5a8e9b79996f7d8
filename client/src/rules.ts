// Rule links. The server gives each diagnostic's code a file: URL of its section in docs/rules.md
// (shipped beside the bundles), which any editor can open. In VS Code, where that opens the Markdown
// source at line 1, the client rewrites the link to `irqtopo.openDocs` (./docs.ts), which opens the
// rendered page (the built-in Markdown preview) at the code's section.
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import { ruleCodeOfHref } from './shared/rules';

export function ruleCommandUri(code: string): vscode.Uri {
  return vscode.Uri.parse(
    `command:irqtopo.openDocs?${encodeURIComponent(JSON.stringify(['rules.md', code]))}`,
  );
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
