// The open documents: their text (a TextDocument, which counts CR, LF and CRLF as line breaks as the
// core does), and the content changes as offsets in the text before each change, for incremental
// re-analysis. Every content change gets a new revision, whatever version number the client sends:
// caches are keyed by revision, so a version number reused for new content is still new content.

import type {
  DidChangeTextDocumentParams,
  DidOpenTextDocumentParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { uriKey } from './uri';

/** One edit: the offsets it replaces in the text before it, and the new text. */
export interface TextChange {
  start: number;
  end: number;
  text: string;
}

/** At most this many changes are kept per document (older ones: re-analyse the whole file). */
const MAX_LOG = 512;

let revisions = 0;

export class OpenDocument {
  /** the client's URI, as it spelled it (diagnostics are published under it) */
  readonly uri: string;
  readonly key: string;
  private doc: TextDocument;
  /** a server-wide counter bumped by every content change */
  revision: number;
  /** the changes kept, each with the stamp of the text before it and its revision after it */
  private log: { from: string; revision: number; change: TextChange }[] = [];

  constructor(uri: string, languageId: string, version: number, text: string) {
    this.uri = uri;
    this.key = uriKey(uri);
    this.doc = TextDocument.create(uri, languageId, version, text);
    this.revision = ++revisions;
  }

  get version(): number {
    return this.doc.version;
  }

  get text(): string {
    return this.doc.getText();
  }

  /** The stamp analyses record for this document. */
  get stamp(): string {
    return `r${this.revision}`;
  }

  get textDocument(): TextDocument {
    return this.doc;
  }

  /** Applies the client's changes in order, recording each as offsets in the text before it. */
  apply(changes: readonly TextContentChange[], version: number): void {
    for (const c of changes) {
      let change: TextChange;
      if ('range' in c && c.range) {
        let start = this.doc.offsetAt(c.range.start);
        let end = this.doc.offsetAt(c.range.end);
        if (end < start) [start, end] = [end, start];
        change = { start, end, text: c.text };
        this.doc = TextDocument.update(this.doc, [{ range: c.range, text: c.text }], version);
      } else {
        change = { start: 0, end: this.doc.getText().length, text: c.text };
        this.doc = TextDocument.update(this.doc, [{ text: c.text }], version);
      }
      const from = this.stamp;
      this.revision = ++revisions;
      this.log.push({ from, revision: this.revision, change });
    }
    if (changes.length === 0) {
      // a version change without content: nothing to re-analyse, but the version is the client's now
      this.doc = TextDocument.update(this.doc, [], version);
    }
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
  }

  /**
   * The changes from a stamp of this document to now, or undefined when they are not all known
   * (too old, or the stamp is not one of this document's).
   */
  changesSince(stamp: string): TextChange[] | undefined {
    if (stamp === this.stamp) return [];
    const i = this.log.findIndex((e) => e.from === stamp);
    return i < 0 ? undefined : this.log.slice(i).map((e) => e.change);
  }

  /** Drops the changes up to a revision (no analysis needs them any more). */
  forgetUpTo(revision: number): void {
    let n = 0;
    while (n < this.log.length && this.log[n].revision <= revision) n++;
    if (n) this.log.splice(0, n);
  }
}

type TextContentChange = TextDocumentContentChangeEvent;

export class Documents {
  private readonly byKey = new Map<string, OpenDocument>();

  open(p: DidOpenTextDocumentParams): OpenDocument {
    const d = new OpenDocument(
      p.textDocument.uri,
      p.textDocument.languageId,
      p.textDocument.version,
      p.textDocument.text,
    );
    this.byKey.set(d.key, d);
    return d;
  }

  change(p: DidChangeTextDocumentParams): OpenDocument | undefined {
    const d = this.get(p.textDocument.uri);
    if (!d) return undefined;
    d.apply(p.contentChanges, p.textDocument.version ?? d.version);
    return d;
  }

  close(uri: string): OpenDocument | undefined {
    const k = uriKey(uri);
    const d = this.byKey.get(k);
    this.byKey.delete(k);
    return d;
  }

  /** The open document of a URI (any spelling) or key. */
  get(uri: string): OpenDocument | undefined {
    return this.byKey.get(uri) ?? this.byKey.get(uriKey(uri));
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  get size(): number {
    return this.byKey.size;
  }
}
