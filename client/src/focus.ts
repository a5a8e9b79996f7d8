// Which interrupt each document's route box shows: chosen in the diagram's list, the picker, a code
// lens, or by the cursor on an `irq` line. Kept per document, so switching files never shows another
// file's interrupt, and coming back shows what was chosen there.
import * as vscode from 'vscode';

export interface Focus {
  irq: string;
  /** why this element of a range (the cursor did not say which) */
  note: string | null;
}

const MAX_DOCS = 100;

export class RouteFocus implements vscode.Disposable {
  private readonly byDoc = new Map<string, Focus>();
  private readonly emitter = new vscode.EventEmitter<string>();
  /** fires with the document whose choice changed */
  readonly onDidChange = this.emitter.event;

  get(doc: string): Focus | undefined {
    return this.byDoc.get(doc);
  }

  set(doc: string, irq: string | null, note: string | null = null): void {
    const had = this.byDoc.get(doc);
    if (irq === null) {
      if (!had) return;
      this.byDoc.delete(doc);
    } else {
      if (had && had.irq === irq && had.note === note) return;
      this.byDoc.delete(doc); // most recent last
      this.byDoc.set(doc, { irq, note });
      if (this.byDoc.size > MAX_DOCS) this.byDoc.delete(this.byDoc.keys().next().value!);
    }
    this.emitter.fire(doc);
  }

  /** What a restored panel remembered (its saved state), for documents with no choice yet. */
  seed(irqByDoc: unknown): void {
    if (!irqByDoc || typeof irqByDoc !== 'object') return;
    for (const [doc, irq] of Object.entries(irqByDoc as Record<string, unknown>))
      if (typeof irq === 'string' && irq.length <= 4096 && !this.byDoc.has(doc))
        this.byDoc.set(doc, { irq, note: null });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
