// Helpers for the extension tests: wait on VS Code events with a deadline (never a bare sleep).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'irqtopo.irqtopo';

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded (check extensionDevelopmentPath)`);
  return ext;
}

/**
 * An example: from the opened workspace folder (runTests opens a copy of examples/) when it holds it,
 * else from the examples/ folder of the extension under development.
 */
export function example(name: string): vscode.Uri {
  const candidates = [
    ...(vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, name)),
    path.join(extension().extensionPath, 'examples', name),
  ];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) throw new Error(`example ${name} does not exist (looked in ${candidates.join(', ')})`);
  return vscode.Uri.file(file);
}

/**
 * Resolves with the first value `probe` returns that is not undefined, re-probing whenever one of
 * `events` fires (and every 250 ms in case an event was missed); rejects with `what` after `ms`.
 */
export function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  events: vscode.Event<unknown>[] = [],
  ms = 60_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const subs: vscode.Disposable[] = [];
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      for (const s of subs) s.dispose();
      clearTimeout(timer);
      clearInterval(poll);
      f();
    };
    const check = (): void => {
      let v: T | undefined;
      try {
        v = probe();
      } catch (e) {
        finish(() => reject(e instanceof Error ? e : new Error(String(e))));
        return;
      }
      if (v !== undefined) finish(() => resolve(v));
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`))),
      ms,
    );
    const poll = setInterval(check, 250);
    for (const ev of events) subs.push(ev(check));
    check();
  });
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === 'object' ? String(c.value) : String(c);
}
