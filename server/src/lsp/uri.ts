// One spelling per document: every URI the server keeps or compares goes through vscode-uri, the
// parser VS Code itself uses (`file:///a%20b.irqtopo`, `file:///a b.irqtopo` and a client's own
// escaping of the same path are one key). Paths become URIs and back only here.

import { URI, Utils } from 'vscode-uri';

const keys = new Map<string, string>();

/** The canonical spelling of a URI (or of an absolute path), the key of every map in the server. */
export function uriKey(uri: string): string {
  let k = keys.get(uri);
  if (k === undefined) {
    k = parse(uri)?.toString() ?? uri;
    if (keys.size > 100_000) keys.clear();
    keys.set(uri, k);
  }
  return k;
}

function parse(uri: string): URI | undefined {
  try {
    // an absolute path (the core resolves absolute includes of a path-rooted file to paths)
    if (uri.startsWith('/')) return URI.file(uri);
    return URI.parse(uri, true);
  } catch {
    return undefined;
  }
}

/** The file-system path of a file: URI, or undefined for other schemes. */
export function uriPath(uri: string): string | undefined {
  const u = parse(uri);
  return u && u.scheme === 'file' ? u.fsPath : undefined;
}

/** A file: URI for an absolute path. */
export function pathUri(path: string): string {
  return URI.file(path).toString();
}

/** The last segment of a URI's path. */
export function uriBasename(uri: string): string {
  const u = parse(uri);
  return u ? Utils.basename(u) : uri;
}

/** The key of the folder holding a file. */
export function uriDirname(uri: string): string {
  const u = parse(uri);
  return u ? Utils.dirname(u).toString() : uri;
}

/** Whether a key lies inside a folder (both canonical keys), the folder itself included. */
export function isInside(key: string, folderKey: string): boolean {
  const f = folderKey.endsWith('/') ? folderKey : folderKey + '/';
  return key === folderKey || key.startsWith(f);
}
