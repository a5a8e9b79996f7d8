// Core plain data -> LSP types. The only place that knows both shapes.

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
} from 'vscode-languageserver/node';
import { type Diagnostic as CoreDiagnostic, type Severity } from '../core';
import type * as S from '../core/services';
import { ruleDocUrl } from '../docs';
import { canonical } from './files';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function ruleHref(code: string): string {
  return ruleDocUrl(code);
}

export function diagnostic(d: CoreDiagnostic): Diagnostic {
  const out: Diagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    codeDescription: { href: ruleHref(d.code) },
    source: 'irqtopo',
    message: d.message,
  };
  if (d.related.length)
    out.relatedInformation = d.related.map((r) => ({
      location: { uri: canonical(r.uri), range: r.range },
      message: r.message,
    }));
  if (d.unnecessary) out.tags = [DiagnosticTag.Unnecessary];
  return out;
}

export function workspaceEdit(e: S.WorkspaceEdit): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const [uri, edits] of Object.entries(e)) (changes[canonical(uri)] ??= []).push(...edits);
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

export function documentSymbol(s: S.DocumentSymbol): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: SYMBOL_KIND[s.kind],
    range: s.range,
    selectionRange: s.selectionRange,
    children: s.children.map(documentSymbol),
  };
}

export function workspaceSymbol(s: S.WorkspaceSymbol): SymbolInformation {
  return {
    name: s.name,
    kind: SYMBOL_KIND[s.kind],
    containerName: s.detail,
    location: { uri: canonical(s.uri), range: s.range },
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

export function codeAction(a: S.CodeAction, diagnostics: Diagnostic[]): CodeAction {
  return {
    title: a.title,
    kind: a.kind === 'quickfix' ? CodeActionKind.QuickFix : CodeActionKind.SourceFixAll,
    diagnostics,
    isPreferred: a.preferred,
    edit: workspaceEdit(a.edit),
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

export function codeLens(l: S.CodeLens): CodeLens {
  return { range: l.range, command: { title: l.title, command: l.command, arguments: [l.args] } };
}
