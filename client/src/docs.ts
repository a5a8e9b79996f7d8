// The docs and examples that ship inside the extension: "irqtopo: Open Documentation" (also the target of
// the command links in the rule settings and the walkthrough) and "irqtopo: Open an Example Topology".
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** The docs the .vsix ships (scripts/package-vsix.mjs), with what each one is for. */
export const DOCS: Record<string, string> = {
  'rules.md': 'Every check code: what it means, why the kernel works that way, how to fix it',
  'language.md': 'The topology language: statements, domain kinds, properties',
  'simulation.md': 'How the simulator allocates, and which kernel rules it follows',
  'importer.md': 'Importing /proc/interrupts and /sys/kernel/debug/irq dumps',
};

function isDoc(x: unknown): x is string {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(DOCS, x);
}

/** Opens docs/FILE of the extension in the Markdown preview (at ANCHOR when given). */
export async function openDocs(
  context: vscode.ExtensionContext,
  file?: unknown,
  anchor?: unknown,
): Promise<void> {
  let name = isDoc(file) ? file : undefined;
  if (!name) {
    const pick = await vscode.window.showQuickPick(
      Object.entries(DOCS).map(([label, detail]) => ({ label, detail })),
      { title: 'irqtopo documentation' },
    );
    if (!pick) return;
    name = pick.label;
  }
  let uri = vscode.Uri.joinPath(context.extensionUri, 'docs', name);
  if (typeof anchor === 'string' && /^[a-z0-9-]+$/.test(anchor)) uri = uri.with({ fragment: anchor });
  await vscode.commands.executeCommand('markdown.showPreview', uri);
}

/** The first comment line of an example: what it shows. */
function summaryOf(text: string): string {
  const line = text.split('\n').find((l) => /^#\s*\S/.test(l));
  return line ? line.replace(/^#\s*/, '') : '';
}

/** Opens a copy of a shipped example as a new (untitled) topology document. */
export async function openExample(
  context: vscode.ExtensionContext,
  name?: unknown,
): Promise<vscode.TextEditor | undefined> {
  const dir = path.join(context.extensionPath, 'examples');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.irqtopo'))
    .sort();
  let file = typeof name === 'string' && files.includes(name) ? name : undefined;
  if (!file) {
    const pick = await vscode.window.showQuickPick(
      files.map((f) => ({ label: f, detail: summaryOf(fs.readFileSync(path.join(dir, f), 'utf8')) })),
      { title: 'Open an example topology (a copy, as a new file)' },
    );
    if (!pick) return undefined;
    file = pick.label;
  }
  const content = fs.readFileSync(path.join(dir, file), 'utf8');
  const doc = await vscode.workspace.openTextDocument({ language: 'irqtopo', content });
  return vscode.window.showTextDocument(doc, { preview: false });
}
