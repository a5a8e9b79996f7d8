// Core plain data -> LSP types. The only place that knows both shapes. URIs leave through `spell`
// (the client's own spelling of an open document, the canonical one otherwise).

import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DiagnosticTag,
  DocumentHighlightKind,
  FoldingRangeKind,
  InlayHintKind,
  InsertTextFormat,
  MarkupKind,
  SymbolKind,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type Diagnostic,
  type DocumentHighlight,
  type DocumentSymbol,
  type FoldingRange,
  type InlayHint,
  type SelectionRange,
  type SymbolInformation,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { type Diagnostic as CoreDiagnostic, type Severity } from '../core';
import type * as S from '../core/services';

/** A URI the core used -> the URI sent to the client. */
export type Spell = (uri: string) => string;
/** A rule code -> the link to its documentation, if any. */
export type RuleLink = (code: string) => string | undefined;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function diagnostic(d: CoreDiagnostic, spell: Spell, link: RuleLink): Diagnostic {
  const out: Diagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'irqtopo',
    message: d.message,
  };
  const href = link(d.code);
  if (href) out.codeDescription = { href };
  if (d.related.length)
    out.relatedInformation = d.related.map((r) => ({
      location: { uri: spell(r.uri), range: r.range },
      message: r.message,
    }));
  if (d.unnecessary) out.tags = [DiagnosticTag.Unnecessary];
  return out;
}

export function workspaceEdit(e: S.WorkspaceEdit, spell: Spell): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const [uri, edits] of Object.entries(e)) {
    // (not push(...edits): a rename may touch more places than a call takes arguments)
    const to = (changes[spell(uri)] ??= []);
    for (const x of edits) to.push(x);
  }
  return { changes };
}

const COMPLETION_KIND: Record<S.CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  property: CompletionItemKind.Property,
  kind: CompletionItemKind.Class,
  domain: CompletionItemKind.Module,
  device: CompletionItemKind.Variable,
  irq: CompletionItemKind.Event,
  value: CompletionItemKind.EnumMember,
  cpus: CompletionItemKind.Value,
};

export function completionItem(c: S.CompletionItem): CompletionItem {
  const out: CompletionItem = { label: c.label, kind: COMPLETION_KIND[c.kind], sortText: c.sortText };
  if (c.detail) out.detail = c.detail;
  if (c.documentation) out.documentation = { kind: MarkupKind.Markdown, value: c.documentation };
  if (c.insertText) out.insertText = c.insertText;
  if (c.snippet) out.insertTextFormat = InsertTextFormat.Snippet;
  return out;
}

const SYMBOL_KIND: Record<S.SymbolKind, SymbolKind> = {
  domain: SymbolKind.Module,
  device: SymbolKind.Variable,
  irq: SymbolKind.Event,
};

/** The machine and history statements: a `node` groups CPUs (a namespace), `offline` and `release` happen (events). */
const STATEMENT_KIND: Record<S.MachineSymbol, SymbolKind> = {
  node: SymbolKind.Namespace,
  offline: SymbolKind.Event,
  release: SymbolKind.Event,
};

export function documentSymbol(s: S.DocumentSymbol): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: s.statement ? STATEMENT_KIND[s.statement] : SYMBOL_KIND[s.kind],
    range: s.range,
    selectionRange: s.selectionRange,
    children: s.children.map(documentSymbol),
  };
}

export function workspaceSymbol(s: S.WorkspaceSymbol, spell: Spell): SymbolInformation {
  return {
    name: s.name,
    kind: SYMBOL_KIND[s.kind],
    containerName: s.detail,
    location: { uri: spell(s.uri), range: s.range },
  };
}

export function foldingRange(f: S.FoldingRange): FoldingRange {
  return f.kind === 'comment'
    ? { startLine: f.startLine, endLine: f.endLine, kind: FoldingRangeKind.Comment }
    : { startLine: f.startLine, endLine: f.endLine };
}

export function selectionRange(s: S.SelectionRange): SelectionRange {
  return s.parent ? { range: s.range, parent: selectionRange(s.parent) } : { range: s.range };
}

export function highlight(h: S.Highlight): DocumentHighlight {
  return { range: h.range, kind: h.write ? DocumentHighlightKind.Write : DocumentHighlightKind.Read };
}

export function codeAction(a: S.CodeAction, diagnostics: Diagnostic[], spell: Spell): CodeAction {
  return {
    title: a.title,
    kind: a.kind === 'quickfix' ? CodeActionKind.QuickFix : CodeActionKind.SourceFixAll,
    diagnostics,
    isPreferred: a.preferred,
    edit: workspaceEdit(a.edit, spell),
  };
}

export function inlayHint(h: S.InlayHint): InlayHint {
  return {
    position: h.position,
    label: h.label,
    kind: InlayHintKind.Type,
    paddingLeft: true,
    tooltip: { kind: MarkupKind.Markdown, value: h.tooltip },
  };
}

/** A code lens running a client-side command (only for clients that announced it). */
export function codeLens(l: S.CodeLens, spell: Spell): CodeLens {
  return {
    range: l.range,
    command: { title: l.title, command: l.command, arguments: [{ ...l.args, uri: spell(l.args.uri) }] },
  };
}
