// The language server: a thin adapter from LSP requests to the core's language services.
// Everything that is not protocol handling lives in server/src/core/services.

import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  FileChangeType,
  LSPErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeAction,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { validateOverrides, type Diagnostic, type RuleOverrides } from '../core';
import * as S from '../core/services';
import { DiagramRequest, DomainTreeRequest, RoutesRequest, type InitializationOptions } from '../protocol';
import * as C from './convert';
import { registerImport } from './import';
import { Project } from './project';

export const SERVER_NAME = 'irqtopo-language-server';
export const SERVER_VERSION = '0.1.0';

/** The fixed debounce limit (ms): edits closer than this are checked together. */
const MAX_DEBOUNCE = 50;

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const project = new Project();
  let configSupported = false;
  let dynamicConfig = false;
  let fixedDebounce: number | undefined;

  const log = (msg: string) => connection.console.log(`[irqtopo] ${msg}`);

  // ---- rules ------------------------------------------------------------------------------------

  function parseRules(value: unknown, where: string): RuleOverrides {
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      connection.console.warn(
        `[irqtopo] ${where}: irqtopo.rules must be an object (code -> severity); ignored`,
      );
      return {};
    }
    const out: Record<string, string> = {};
    for (const [code, sev] of Object.entries(value as Record<string, unknown>)) {
      const problems = validateOverrides({ [code]: String(sev) });
      if (problems.length) connection.console.warn(`[irqtopo] ${where}: ${problems.join('; ')}; ignored`);
      else out[code] = String(sev);
    }
    return out as RuleOverrides;
  }

  async function pullRules(uri: string): Promise<void> {
    if (!configSupported) return;
    try {
      const cfg = (await connection.workspace.getConfiguration({ scopeUri: uri, section: 'irqtopo' })) as {
        rules?: unknown;
      } | null;
      project.setRules(uri, parseRules(cfg?.rules, 'workspace/configuration'));
    } catch (e) {
      connection.console.warn(`[irqtopo] workspace/configuration failed: ${String(e)}`);
    }
  }

  // ---- diagnostics: debounced, cancellable, one publish per document -----------------------------

  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  let flushing = false;

  function schedule(uris: Iterable<string>, delay: number): void {
    for (const u of uris) pending.add(project.c(u));
    generation++;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, delay);
  }

  /**
   * The debounce of a change: the first change after a quiet period is checked at once (leading
   * edge); changes that follow within the interval are coalesced and checked when they stop
   * (trailing edge). The interval adapts to the document: twice its last check, at most 50 ms.
   */
  function debounceFor(uri: string): number {
    if (fixedDebounce !== undefined) return fixedDebounce;
    const e = project.peek(project.contextRoot(uri));
    const interval = e ? Math.min(MAX_DEBOUNCE, Math.round(2 * e.ms)) : 0;
    const quiet = !timer && !flushing && performance.now() - lastFlushEnd >= interval;
    return quiet ? 0 : interval;
  }

  let lastFlushEnd = -Infinity;

  async function flush(): Promise<void> {
    if (flushing) {
      // a flush is running: it picks up the new work when it checks the generation
      return;
    }
    flushing = true;
    try {
      while (pending.size) {
        const gen = generation;
        const changed = [...pending];
        pending.clear();
        const docs = new Set<string>();
        for (const u of changed) for (const d of project.affectedBy(u)) docs.add(d);
        for (const u of changed) if (project.open.has(u)) docs.add(u);
        const list = [...docs];
        for (let i = 0; i < list.length; i++) {
          if (generation !== gen && i > 0) {
            // newer edits arrived: drop this pass, check again with them
            for (const d of list.slice(i)) pending.add(d);
            break;
          }
          publish(list[i]);
          if (i + 1 < list.length) await new Promise((r) => setImmediate(r));
        }
        if (generation !== gen && timer) break; // the newer edits' timer runs the next pass
      }
    } catch (e) {
      connection.console.error(
        `[irqtopo] checking failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    } finally {
      lastFlushEnd = performance.now();
      flushing = false;
    }
  }

  function publish(uri: string): void {
    const doc = project.open.get(uri);
    if (!doc) return;
    const e = project.analysisFor(uri);
    const diags = e
      ? S.diagnosticsFor(
          e.diagnostics.filter((d) => project.c(d.uri) === uri).map((d) => ({ ...d, uri })),
          uri,
        )
      : [];
    void connection.sendDiagnostics({
      uri: doc.uri,
      version: doc.version,
      diagnostics: diags.map(C.diagnostic),
    });
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    configSupported = !!caps.workspace?.configuration;
    dynamicConfig = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    const opts = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof opts.debounceMs === 'number' && opts.debounceMs >= 0) fixedDebounce = opts.debounceMs;
    if (opts.rules) project.setDefaultRules(parseRules(opts.rules, 'initializationOptions'));
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    project.folders = folders;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: [' ', ':', '.', '>', ','], resolveProvider: false },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentHighlightProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        foldingRangeProvider: true,
        selectionRangeProvider: true,
        semanticTokensProvider: {
          legend: { tokenTypes: [...S.TOKEN_TYPES], tokenModifiers: [...S.TOKEN_MODIFIERS] },
          full: true,
          range: true,
        },
        documentFormattingProvider: true,
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll],
          resolveProvider: false,
        },
        inlayHintProvider: true,
        codeLensProvider: { resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    };
  });

  connection.onInitialized(() => {
    if (dynamicConfig)
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'irqtopo' });
    if (project.folders.length) {
      try {
        connection.workspace.onDidChangeWorkspaceFolders((ev) => {
          project.folders = [
            ...project.folders.filter((f) => !ev.removed.some((r) => r.uri === f)),
            ...ev.added.map((a) => a.uri),
          ];
          project.invalidateWorkspace();
        });
      } catch {
        // the client does not support workspace folders
      }
    }
  });

  connection.onDidChangeConfiguration(async (change) => {
    const settings = (change.settings ?? {}) as { irqtopo?: { rules?: unknown } };
    if (settings.irqtopo && 'rules' in settings.irqtopo)
      project.setDefaultRules(parseRules(settings.irqtopo.rules, 'didChangeConfiguration'));
    if (configSupported) {
      project.clearRules();
      await Promise.all([...project.open.keys()].map((u) => pullRules(u)));
    }
    schedule(project.open.keys(), 0);
  });

  // a document being opened waits for its rules; its first check runs after them (the content
  // event that TextDocuments fires on open, and changes meanwhile, are covered by that check)
  const opening = new Set<string>();

  documents.onDidOpen(async (ev) => {
    const uri = project.c(ev.document.uri);
    opening.add(uri);
    project.opened(ev.document);
    try {
      await pullRules(ev.document.uri);
    } finally {
      opening.delete(uri);
      schedule([ev.document.uri], 0);
    }
  });

  documents.onDidChangeContent((ev) => {
    const uri = project.c(ev.document.uri);
    if (opening.has(uri) || !project.open.has(uri)) return;
    project.opened(ev.document);
    schedule([ev.document.uri], debounceFor(ev.document.uri));
  });

  documents.onDidClose((ev) => {
    const uri = project.c(ev.document.uri);
    const affected = project.affectedBy(uri).filter((u) => u !== uri);
    project.closed(ev.document.uri);
    void connection.sendDiagnostics({ uri: ev.document.uri, diagnostics: [] });
    // files it included now stand alone (or in another context); files including it read the disk
    if (affected.length) schedule(affected, 0);
  });

  connection.onDidChangeWatchedFiles((ev) => {
    const uris: string[] = [];
    for (const ch of ev.changes) {
      if (ch.type !== FileChangeType.Changed) project.invalidateWorkspace();
      project.forget(ch.uri);
      uris.push(ch.uri);
    }
    schedule(uris, 0);
  });

  // ---- helpers ------------------------------------------------------------------------------------

  function entryFor(uri: string, token?: CancellationToken) {
    if (token?.isCancellationRequested) throw cancelled();
    const c = project.c(uri);
    if (!project.open.has(c)) return project.ensure(c);
    return project.analysisFor(c);
  }

  function guard<P extends { textDocument: { uri: string } }, R>(
    fn: (p: P, token: CancellationToken) => R,
    fallback: R,
  ) {
    return (p: P, token: CancellationToken): R | ResponseError<void> => {
      try {
        return fn(p, token);
      } catch (e) {
        if (e instanceof ResponseError) return e;
        connection.console.error(
          `[irqtopo] request failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        return fallback;
      }
    };
  }

  /** Core diagnostics matching the LSP ones a code-action request carries. */
  function coreDiagnostics(
    uri: string,
    entry: NonNullable<ReturnType<typeof entryFor>>,
    lsp: LspDiagnostic[],
  ): { core: Diagnostic; lsp: LspDiagnostic }[] {
    const out: { core: Diagnostic; lsp: LspDiagnostic }[] = [];
    const c = project.c(uri);
    for (const l of lsp) {
      const core = entry.diagnostics.find(
        (d) =>
          project.c(d.uri) === c &&
          d.code === l.code &&
          d.range.start.line === l.range.start.line &&
          d.range.start.character === l.range.start.character &&
          d.range.end.line === l.range.end.line &&
          d.range.end.character === l.range.end.character,
      );
      if (core) out.push({ core, lsp: l });
    }
    return out;
  }

  // ---- features -----------------------------------------------------------------------------------

  connection.onHover(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      if (!e) return null;
      const h = S.hover(e.analysis, uriIn(e, p.textDocument.uri), p.position);
      return h ? { contents: { kind: 'markdown' as const, value: h.contents }, range: h.range } : null;
    }, null),
  );

  connection.onCompletion(
    guard((p, token) => {
      const doc = documents.get(p.textDocument.uri);
      const e = entryFor(p.textDocument.uri, token);
      if (!doc || !e) return [];
      const lines = doc.getText().split('\n');
      return S.completions(e.analysis.model, lines, p.position).map(C.completionItem);
    }, []),
  );

  connection.onDefinition(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      if (!e) return null;
      const s = S.symbolAt(e.analysis.model, uriIn(e, p.textDocument.uri), p.position);
      if (!s) return null;
      return S.definition(e.analysis.model, s).map((l) => ({ uri: project.c(l.uri), range: l.range }));
    }, null),
  );

  /** The URI spelling the model uses for a document (the model's own, when it differs). */
  function uriIn(e: NonNullable<ReturnType<typeof entryFor>>, uri: string): string {
    const c = project.c(uri);
    const f = e.analysis.model.files.find((x) => project.c(x.uri) === c);
    return f ? f.uri : uri;
  }

  function occurrencesAcross(uri: string, s: S.SymbolAt, declUri: string): S.Occurrence[] {
    const out: S.Occurrence[] = [];
    for (const e of project.analysesInvolving(declUri))
      out.push(...S.occurrences(e.analysis.model, s.kind, s.name));
    return S.dedupeLocations(out.map((o) => ({ ...o, uri: project.c(o.uri) })));
    void uri;
  }

  function declarationUri(
    e: NonNullable<ReturnType<typeof entryFor>>,
    s: S.SymbolAt,
    fallback: string,
  ): string {
    return S.definition(e.analysis.model, s)[0]?.uri ?? fallback;
  }

  connection.onReferences(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      if (!e) return null;
      const s = S.symbolAt(e.analysis.model, uriIn(e, p.textDocument.uri), p.position);
      if (!s) return null;
      const occ = occurrencesAcross(p.textDocument.uri, s, declarationUri(e, s, p.textDocument.uri));
      return occ
        .filter((o) => p.context.includeDeclaration || !o.declaration)
        .map((o) => ({ uri: o.uri, range: o.range }));
    }, null),
  );

  connection.onDocumentHighlight(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      if (!e) return null;
      return S.documentHighlights(e.analysis.model, uriIn(e, p.textDocument.uri), p.position).map(
        C.highlight,
      );
    }, null),
  );

  connection.onPrepareRename(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      if (!e) return null;
      const r = S.prepareRename(e.analysis.model, uriIn(e, p.textDocument.uri), p.position);
      if ('error' in r) throw new ResponseError(-32803 /* RequestFailed */, r.error);
      return { range: r.range, placeholder: r.placeholder };
    }, null),
  );

  connection.onRenameRequest(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      if (!e) return null;
      const m = e.analysis.model;
      const uri = uriIn(e, p.textDocument.uri);
      const prep = S.prepareRename(m, uri, p.position);
      if ('error' in prep) throw new ResponseError(-32803, prep.error);
      const s = S.symbolAt(m, uri, p.position)!;
      const models = project.analysesInvolving(declarationUri(e, s, uri)).map((x) => x.analysis.model);
      const problem = S.checkNewName(models.length ? models : [m], s, p.newName);
      if (problem) throw new ResponseError(-32803, problem);
      const occ = occurrencesAcross(uri, s, declarationUri(e, s, uri));
      return C.workspaceEdit(S.renameEdits(s, p.newName, occ));
    }, null),
  );

  connection.onDocumentSymbol(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      if (!e) return [];
      return S.documentSymbols(e.analysis.model, uriIn(e, p.textDocument.uri)).map(C.documentSymbol);
    }, []),
  );

  connection.onWorkspaceSymbol((p, token) => {
    try {
      const uris = new Set<string>([...project.open.keys(), ...project.workspace()]);
      const out = [];
      for (const u of uris) {
        if (token.isCancellationRequested) return cancelled();
        const f = project.parsedFile(u);
        if (!f) continue;
        for (const s of S.fileSymbols(f))
          if (S.matchesQuery(s.name, p.query)) out.push(C.workspaceSymbol({ ...s, uri: u }));
        if (out.length >= 2000) break;
      }
      return out;
    } catch (e) {
      connection.console.error(`[irqtopo] workspace symbols failed: ${String(e)}`);
      return [];
    }
  });

  connection.onFoldingRanges(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      const f = e && S.fileOf(e.analysis.model, uriIn(e, p.textDocument.uri));
      return f ? S.foldingRanges(f).map(C.foldingRange) : [];
    }, []),
  );

  connection.onSelectionRanges(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      const f = e && S.fileOf(e.analysis.model, uriIn(e, p.textDocument.uri));
      if (!f) return [];
      return p.positions.map((pos) => C.selectionRange(S.selectionRange(f, pos)));
    }, []),
  );

  connection.languages.semanticTokens.on(
    guard(
      (p, token) => {
        const e = entryFor(p.textDocument.uri, token);
        return { data: e ? S.semanticTokens(e.analysis.model, uriIn(e, p.textDocument.uri)) : [] };
      },
      { data: [] },
    ),
  );

  connection.languages.semanticTokens.onRange(
    guard(
      (p, token) => {
        const e = entryFor(p.textDocument.uri, token);
        return { data: e ? S.semanticTokens(e.analysis.model, uriIn(e, p.textDocument.uri), p.range) : [] };
      },
      { data: [] },
    ),
  );

  connection.onDocumentFormatting(
    guard((p, token) => {
      if (token.isCancellationRequested) throw cancelled();
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      const e = project.peek(project.contextRoot(p.textDocument.uri));
      const file =
        e && e.stamps.get(project.c(doc.uri)) === `v${doc.version}`
          ? S.fileOf(e.analysis.model, uriIn(e, doc.uri))
          : undefined;
      return S.formatEdits(doc.getText(), file);
    }, []),
  );

  connection.onCodeAction(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      if (!e) return [];
      const only = p.context.only;
      const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
      const out: CodeAction[] = [];
      if (wants(CodeActionKind.QuickFix)) {
        for (const { core, lsp } of coreDiagnostics(p.textDocument.uri, e, p.context.diagnostics))
          for (const a of S.quickFixes(e.analysis, core)) out.push(C.codeAction(a, [lsp]));
      }
      if (wants(CodeActionKind.SourceFixAll)) {
        const all = S.fixAll(e.analysis, uriIn(e, p.textDocument.uri));
        if (all) out.push(C.codeAction(all, all.diagnostics.map(C.diagnostic)));
      }
      return out;
    }, []),
  );

  connection.languages.inlayHint.on(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      return e ? S.inlayHints(e.analysis, uriIn(e, p.textDocument.uri), p.range).map(C.inlayHint) : [];
    }, []),
  );

  connection.onCodeLens(
    guard((p, token) => {
      const e = entryFor(p.textDocument.uri, token);
      return e ? S.codeLenses(e.analysis, uriIn(e, p.textDocument.uri)).map(C.codeLens) : [];
    }, []),
  );

  const custom =
    <R>(fn: (a: S.AnalysisLike) => R) =>
    (p: { uri: string }, token: CancellationToken) => {
      try {
        const e = entryFor(p.uri, token);
        return e ? fn(e.analysis) : null;
      } catch (err) {
        if (err instanceof ResponseError) return err;
        connection.console.error(
          `[irqtopo] request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        return null;
      }
    };
  // by method name: vscode-languageserver bundles its own copy of the protocol package, whose
  // RequestType is nominally another type than the one server/src/protocol.ts (shared with the
  // client) is built from
  connection.onRequest(DomainTreeRequest.method, custom(S.domainTree));
  connection.onRequest(RoutesRequest.method, custom(S.routes));
  connection.onRequest(DiagramRequest.method, custom(S.diagram));
  registerImport(connection);

  documents.listen(connection);
  connection.listen();
  log(`${SERVER_NAME} ${SERVER_VERSION} started (node ${process.version})`);
}
