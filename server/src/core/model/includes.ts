// Loading a topology's files: the root, then what it includes (depth-first, includes first), read
// through the reader the caller passes in, within the include budgets.

import { MAX_STATEMENTS, St } from '../syntax/tree';
import type { SyntaxFile } from '../syntax/view';
import type { FileReader } from '../types';
import type { BindContext } from './context';
import { MAX_FILES, MAX_INCLUDE_CHARS, MAX_INCLUDE_DEPTH } from './limits';

/** Resolves `rel` against the folder of `base` (a path or a URI), with `.` and `..` segments. */
export function resolveInclude(base: string, rel: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(rel) || rel.startsWith('/')) {
    if (rel.startsWith('/') && /^file:\/\//.test(base)) return 'file://' + normalize(rel);
    return rel.startsWith('/') ? normalize(rel) : rel;
  }
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*)(.*)$/.exec(base);
  const prefix = m ? m[1] : '';
  const path = m ? m[2] : base;
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  return prefix + normalize(dir + rel);
}

function normalize(path: string): string {
  const abs = path.startsWith('/');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(seg);
  }
  return (abs ? '/' : '') + out.join('/');
}

function safeRead(reader: FileReader, uri: string): string | Error {
  try {
    return reader(uri);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

export class FileLoader {
  private chars = 0;
  /** statements in the files loaded so far (a topology has at most MAX_STATEMENTS) */
  private statements = 0;
  /** includes read and refused (a read error or a budget), by target: a second include of one is not read again */
  private readonly refused = new Map<string, (rel: string, target: string) => string>();

  constructor(
    private readonly ctx: BindContext,
    private readonly parse: (uri: string, text: string) => SyntaxFile,
    private readonly reader: FileReader | undefined,
  ) {}

  /**
   * Loads a file and what it includes into ctx.m.files (includes first). `refuse` (for an included
   * file) reports at its include that its statements would pass the topology's budget.
   */
  load(uri: string, text: string, stack: string[], refuse?: (statements: number) => void): void {
    const m = this.ctx.m;
    if (m.fileByUri.has(uri)) return; // included twice: once is enough
    const file = this.parse(uri, text);
    const t = file.tree;
    if (refuse && this.statements + t.sCount > MAX_STATEMENTS) {
      refuse(t.sCount);
      return;
    }
    this.statements += t.sCount;
    m.fileByUri.set(uri, file);
    for (const e of t.errors) this.ctx.report('syntax', file, e.start, e.end, e.message);
    const inner = [...stack, uri];
    for (let s = 0; s < t.sCount; s++) {
      if (t.sKind[s] !== St.Include || t.sA[s] < 0) continue;
      const a = t.sA[s];
      const rel = t.nameOf(a);
      const at = (message: string) => this.ctx.report('include-error', file, t.aStart[a], t.aEnd(a), message);
      const target = resolveInclude(uri, rel);
      if (inner.length >= MAX_INCLUDE_DEPTH) {
        at(
          `"${rel}" would nest includes more than ${MAX_INCLUDE_DEPTH} files deep (${inner[0]} -> ... -> ${uri}): a topology's includes must end`,
        );
        continue;
      }
      if (inner.includes(target)) {
        at(
          target === uri
            ? `"${rel}" includes this file itself: remove the include`
            : `"${rel}" closes an include cycle (${[...inner.slice(inner.indexOf(target)), target].join(' -> ')}): includes may not loop`,
        );
        continue;
      }
      if (m.fileByUri.has(target)) continue;
      if (m.fileByUri.size >= MAX_FILES) {
        at(`"${rel}" is not read: a topology may have at most ${MAX_FILES} files`);
        continue;
      }
      const before = this.refused.get(target);
      if (before) {
        at(before(rel, target));
        continue;
      }
      const read = this.reader ? safeRead(this.reader, target) : new Error('no file reader was given');
      if (read instanceof Error || this.chars + read.length > MAX_INCLUDE_CHARS) {
        const why =
          read instanceof Error
            ? (r: string, tg: string) => `cannot read "${r}" (${tg}): ${read.message}`
            : (r: string) =>
                `"${r}" is not read: the included files would exceed ${MAX_INCLUDE_CHARS} characters in all`;
        this.refused.set(target, why);
        at(why(rel, target));
        continue;
      }
      this.chars += read.length;
      this.load(target, read, inner, (statements) => {
        // (the count so far is the one of the moment a later include of it is refused again)
        const why = (r: string) =>
          `"${r}" is not read: with its ${statements} statements the topology would have more than ${MAX_STATEMENTS} (${this.statements} so far)`;
        this.refused.set(target, why);
        at(why(rel));
      });
    }
    m.files.push(file);
  }
}
