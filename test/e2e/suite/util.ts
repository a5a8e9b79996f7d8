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

/** Like waitFor, for probes that must await (tree providers may answer with promises); polls every 250 ms. */
export async function waitForAsync<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: Error | undefined;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e instanceof Error ? e : new Error(String(e));
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function labelOf(item: vscode.TreeItem): string {
  const l = item.label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

/** The slice of the extension's API (what activate returns) the tests use. */
export interface TestApi {
  views: { domains: vscode.TreeDataProvider<unknown>; routes: vscode.TreeDataProvider<unknown> };
  diagram(): { panel: vscode.WebviewPanel; lastRendered?: unknown } | undefined;
}

export async function api(): Promise<TestApi> {
  const ext = extension();
  const exports = (await ext.activate()) as Partial<TestApi> | undefined;
  if (!exports?.views || typeof exports.diagram !== 'function') {
    throw new Error(
      'the extension API has no views/diagram (client/src/extension.ts activate() return value)',
    );
  }
  return exports as TestApi;
}

/** A tree level: each element with its TreeItem. */
export async function children(
  p: vscode.TreeDataProvider<unknown>,
  parent?: unknown,
): Promise<{ element: unknown; item: vscode.TreeItem }[]> {
  const els = (await p.getChildren(parent)) ?? [];
  return Promise.all(els.map(async (element) => ({ element, item: await p.getTreeItem(element) })));
}
