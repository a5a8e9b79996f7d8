// The request table: each LSP request (or custom request of server/src/protocol.ts), registered by
// its type, finds the analysis of its document, calls a core service with positions clamped to the
// text (a position past the end is the end), and converts the result. A failure is a ResponseError,
// never an empty result; an unknown document gets the request's empty answer.

import {
  CodeActionKind,
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentHighlightRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  InlayHintRequest,
  LSPErrorCodes,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  ResponseError,
  SelectionRangeRequest,
  SemanticTokensRangeRequest,
  SemanticTokensRequest,
  WorkspaceSymbolRequest,
  type CancellationToken,
  type CodeAction,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type Position,
  type Range,
  type RequestHandler,
  type RequestType,
} from 'vscode-languageserver';
import { unsimulatable, type Analysis, type Diagnostic, type Model, type SyntaxFile } from '../core';
import * as S from '../core/services';
import {
  DiagramRequest,
  DomainTreeRequest,
  RoutesRequest,
  SHOW_ROUTE_COMMAND,
  VerifyRequest,
  type VerifyPayload,
} from '../protocol';
import type { Config } from './config';
import * as C from './convert';
import type { Documents } from './documents';
import type { Entry, Project } from './project';
import { uriKey } from './uri';

export interface HandlerContext {
  docs: Documents;
  project: Project;
  config: Config;
  spell: C.Spell;
  link: C.RuleLink;
  error(message: string): void;
  /** resolves when the document's settings (workspace/configuration) being pulled have arrived */
  settled?(key: string): Promise<void>;
}

/** A document's analysis, the file in it, and positions clamped to the file's text. */
interface Target {
  key: string;
  entry: Entry;
  analysis: Analysis;
  model: Model;
  /** the file's URI as the model spells it */
  uri: string;
  file: SyntaxFile;
  pos(p: Position): Position;
  range(r: Range): Range;
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
}

function failed(message: string): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestFailed, message);
}

const lineCache = new WeakMap<SyntaxFile, string[]>();

/** The file's lines (CR, LF and CRLF end lines, as the core and LSP count them). */
export function linesOf(file: SyntaxFile): string[] {
  let lines = lineCache.get(file);
  if (!lines) {
    const starts = file.tree.lines.starts;
    const text = file.text;
    lines = [];
    for (let i = 0; i < starts.length; i++) {
      let end = i + 1 < starts.length ? starts[i + 1] : text.length;
      if (end > starts[i] && text.charCodeAt(end - 1) === 10) end--;
      if (end > starts[i] && text.charCodeAt(end - 1) === 13) end--;
      lines.push(text.slice(starts[i], end));
    }
    lineCache.set(file, lines);
  }
  return lines;
}

interface Registration {
  register(connection: Connection): void;
}

export function registerHandlers(connection: Connection, ctx: HandlerContext): void {
  for (const r of handlerTable(ctx)) r.register(connection);
}

export function handlerTable(ctx: HandlerContext): Registration[] {
  const { project, config, spell } = ctx;

  async function target(uri: string, token: CancellationToken): Promise<Target | undefined> {
    if (token.isCancellationRequested) throw cancelled();
    const key = uriKey(uri);
    const entry = await project.analysisFor(key);
    if (token.isCancellationRequested) throw cancelled();
    if (!entry) return undefined;
    const modelUri = entry.modelUris.get(key) ?? key;
    const file = S.fileOf(entry.analysis.model, modelUri);
    if (!file) return undefined;
    const pos = (p: Position) => file.position(file.offset(p));
    return {
      key,
      entry,
      analysis: entry.analysis,
      model: entry.analysis.model,
      uri: modelUri,
      file,
      pos,
      range: (r) => ({ start: pos(r.start), end: pos(r.end) }),
    };
  }

  /** Registers a request by its type; failures become ResponseErrors (and are logged). */
  function def<P, R>(
    type: RequestType<P, R, void>,
    run: (p: P, token: CancellationToken) => Promise<R> | R,
  ): Registration {
    const handler = async (p: P, token: CancellationToken): Promise<R | ResponseError<void>> => {
      try {
        return await run(p, token);
      } catch (e) {
        if (e instanceof ResponseError) return e as ResponseError<void>;
        const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
        ctx.error(`${type.method} failed: ${message}`);
        return failed(`irqtopo: ${type.method} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    // (a generic R cannot meet the handler type's conditional on R extends null; the shapes agree)
    return { register: (connection) => connection.onRequest(type, handler as RequestHandler<P, R, void>) };
  }

  /** Occurrences of a symbol in every analysis that holds its declaration, by key, each once. */
  async function occurrencesAcross(t: Target, s: S.SymbolAt): Promise<S.Occurrence[]> {
    const decl = uriKey(S.definition(t.model, s)[0]?.uri ?? t.uri);
    const out: S.Occurrence[] = [];
    for (const e of await project.analysesInvolving(decl))
      for (const o of S.occurrences(e.analysis.model, s.kind, s.name)) out.push({ ...o, uri: uriKey(o.uri) });
    return S.dedupeLocations(out);
  }

  /** Core diagnostics of the file matching the LSP ones a code-action request carries. */
  function matching(t: Target, lsp: readonly LspDiagnostic[]): { core: Diagnostic; lsp: LspDiagnostic }[] {
    const published = S.publishFile(t.analysis, t.uri);
    const out: { core: Diagnostic; lsp: LspDiagnostic }[] = [];
    for (const l of lsp) {
      const core = published.find(
        (d) =>
          d.code === l.code &&
          S.sameRange(d.range, l.range) &&
          (typeof l.message !== 'string' || d.message === l.message),
      );
      if (core) out.push({ core, lsp: l });
    }
    return out;
  }

  return [
    def(HoverRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      const h = t && S.hover(t.analysis, t.uri, t.pos(p.position));
      return h ? { contents: { kind: 'markdown' as const, value: h.contents }, range: h.range } : null;
    }),

    def(CompletionRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      if (!t) return [];
      return S.completions(t.model, linesOf(t.file), t.pos(p.position)).map(C.completionItem);
    }),

    def(DefinitionRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      const s = t && S.symbolAt(t.model, t.uri, t.pos(p.position));
      if (!t || !s) return null;
      return S.definition(t.model, s).map((l) => ({ uri: spell(l.uri), range: l.range }));
    }),

    def(ReferencesRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      const s = t && S.symbolAt(t.model, t.uri, t.pos(p.position));
      if (!t || !s) return null;
      return (await occurrencesAcross(t, s))
        .filter((o) => p.context.includeDeclaration || !o.declaration)
        .map((o) => ({ uri: spell(o.uri), range: o.range }));
    }),

    def(DocumentHighlightRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      return t ? S.documentHighlights(t.model, t.uri, t.pos(p.position)).map(C.highlight) : null;
    }),

    def(PrepareRenameRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      if (!t) return null;
      const r = S.prepareRename(t.model, t.uri, t.pos(p.position));
      if ('error' in r) throw failed(r.error);
      return { range: r.range, placeholder: r.placeholder };
    }),

    def(RenameRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      if (!t) return null;
      const at = t.pos(p.position);
      const prep = S.prepareRename(t.model, t.uri, at);
      if ('error' in prep) throw failed(prep.error);
      const s = S.symbolAt(t.model, t.uri, at);
      if (!s) throw failed('nothing to rename here');
      const decl = uriKey(S.definition(t.model, s)[0]?.uri ?? t.uri);
      const models = (await project.analysesInvolving(decl)).map((x) => x.analysis.model);
      const problem = S.checkNewName(models.length ? models : [t.model], s, p.newName);
      if (problem) throw failed(problem);
      return C.workspaceEdit(S.renameEdits(s, p.newName, await occurrencesAcross(t, s)), spell);
    }),

    def(DocumentSymbolRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      return t ? S.documentSymbols(t.model, t.uri).map(C.documentSymbol) : [];
    }),

    def(WorkspaceSymbolRequest.type, async (p, token) => {
      const keys = new Set<string>([...ctx.docs.keys(), ...(await project.workspace())]);
      const out = [];
      for (const k of keys) {
        if (token.isCancellationRequested) throw cancelled();
        const f = await project.parsedFile(k);
        if (!f) continue;
        for (const s of S.fileSymbols(f))
          if (S.matchesQuery(s.name, p.query)) out.push(C.workspaceSymbol({ ...s, uri: k }, spell));
        if (out.length >= 2000) break;
      }
      return out;
    }),

    def(FoldingRangeRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      return t ? S.foldingRanges(t.file).map(C.foldingRange) : [];
    }),

    def(SelectionRangeRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      return t ? p.positions.map((pos) => C.selectionRange(S.selectionRange(t.file, t.pos(pos)))) : [];
    }),

    def(SemanticTokensRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      return { data: t ? S.semanticTokens(t.model, t.uri) : [] };
    }),

    def(SemanticTokensRangeRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      return { data: t ? S.semanticTokens(t.model, t.uri, t.range(p.range)) : [] };
    }),

    def(DocumentFormattingRequest.type, async (p, token) => {
      if (token.isCancellationRequested) throw cancelled();
      const d = ctx.docs.get(p.textDocument.uri);
      if (!d) return [];
      const f = await project.parsedFile(d.key);
      return S.formatEdits(d.text, f && f.text === d.text ? f : undefined);
    }),

    def(CodeActionRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      if (!t) return [];
      const only = p.context.only;
      const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
      const out: CodeAction[] = [];
      if (wants(CodeActionKind.QuickFix))
        for (const { core, lsp } of matching(t, p.context.diagnostics))
          for (const a of S.quickFixes(t.analysis, core)) out.push(C.codeAction(a, [lsp], spell));
      if (wants(CodeActionKind.SourceFixAll)) {
        const all = S.fixAll(t.analysis, t.uri);
        if (all)
          out.push(
            C.codeAction(
              all,
              all.diagnostics.map((d) => C.diagnostic(d, spell, ctx.link)),
              spell,
            ),
          );
      }
      return out;
    }),

    def(InlayHintRequest.type, async (p, token) => {
      const t = await target(p.textDocument.uri, token);
      return t ? S.inlayHints(t.analysis, t.uri, t.range(p.range)).map(C.inlayHint) : [];
    }),

    // a lens runs a client-side command: only for clients that announced they run it; which lenses
    // (none, device lines, or irq lines too) the document's `irqtopo.codeLens` settings say
    def(CodeLensRequest.type, async (p, token) => {
      if (!config.clientCommands.has(SHOW_ROUTE_COMMAND)) return [];
      const key = uriKey(p.textDocument.uri);
      await ctx.settled?.(key);
      const lens = config.lensFor(key);
      if (!lens.enabled) return [];
      const t = await target(p.textDocument.uri, token);
      return t
        ? S.codeLenses(t.analysis, t.uri, { interrupts: lens.interrupts }).map((l) => C.codeLens(l, spell))
        : [];
    }),

    def(DomainTreeRequest, async (p, token) => {
      const t = await target(p.uri, token);
      return t ? S.domainTree(t.analysis) : null;
    }),
    def(RoutesRequest, async (p, token) => {
      const t = await target(p.uri, token);
      return t ? S.routes(t.analysis) : null;
    }),
    def(DiagramRequest, async (p, token) => {
      const t = await target(p.uri, token);
      return t ? S.diagram(t.analysis) : null;
    }),
    // the fidelity meter: the document's pins against a simulation without them (simulates once more)
    def(VerifyRequest, async (p, token): Promise<VerifyPayload | null> => {
      const t = await target(p.uri, token);
      if (!t) return null;
      const sim = t.analysis.simulation;
      if (!sim) {
        const why = unsimulatable(t.model) ?? 'the simulation failed (see the Problems panel)';
        return {
          compared: 0,
          columns: {},
          agreement: {},
          differences: [],
          unavailable: `the topology cannot be simulated: ${why}`,
        };
      }
      const report = S.verify(t.model, sim);
      if (token.isCancellationRequested) throw cancelled();
      return {
        ...report,
        differences: report.differences.map((d) => {
          const r = sim.route(d.k); // by index: a name repeats after a `release`
          return { ...d, uri: r ? spell(r.uri) : null, range: r ? r.range : null };
        }),
        unavailable: null,
      };
    }),
  ];
}
