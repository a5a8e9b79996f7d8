// The language server: lifecycle, document sync, settings, file events and the diagnostics
// scheduler, wired to the request table (./handlers.ts). The same adapter runs in Node
// (server/src/server.ts) and in a web worker (server/src/browser.ts); only the host differs.

import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  WatchKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import * as S from '../core/services';
import { SHOW_ROUTE_COMMAND } from '../protocol';
import { Config } from './config';
import * as C from './convert';
import { Documents } from './documents';
import { registerHandlers } from './handlers';
import type { Host } from './host';
import { Project } from './project';
import { DiagnosticsScheduler } from './scheduler';
import { uriKey } from './uri';

export const SERVER_NAME = 'irqtopo-language-server';
export const SERVER_VERSION = '0.1.0';

export interface ServerParts {
  connection: Connection;
  config: Config;
  docs: Documents;
  project: Project;
  scheduler: () => DiagnosticsScheduler;
}

export function startServer(
  connection: Connection,
  makeHost: (connection: Connection, config: Config) => Host & { sync: boolean },
  extra?: (parts: ServerParts) => void,
): ServerParts {
  const log = (msg: string) => connection.console.log(`[irqtopo] ${msg}`);
  const warn = (msg: string) => connection.console.warn(`[irqtopo] ${msg}`);
  const error = (msg: string) => connection.console.error(`[irqtopo] ${msg}`);
  const config = new Config(warn);
  const host = makeHost(connection, config);
  const docs = new Documents();
  let scheduler: DiagnosticsScheduler | undefined;
  const project = new Project(docs, config, host, (keys) => scheduler?.now(keys));
  const spell = (uri: string) => {
    const key = uriKey(uri);
    return docs.get(key)?.uri ?? key;
  };
  const link = (code: string) => config.ruleLink(code) ?? host.ruleLink?.(code);

  // ---- rules --------------------------------------------------------------------------------------

  // a document's settings being pulled: its code lens request waits for them
  const pulling = new Map<string, Promise<boolean>>();

  /** Pulls a document's `irqtopo` settings (rules, code lenses); true when its lens settings changed. */
  function pullSettings(uri: string): Promise<boolean> {
    if (!config.pullConfiguration) return Promise.resolve(false);
    const key = uriKey(uri);
    const p = pull(uri, key).finally(() => {
      if (pulling.get(key) === p) pulling.delete(key);
    });
    pulling.set(key, p);
    return p;
  }

  async function pull(uri: string, key: string): Promise<boolean> {
    try {
      const cfg = (await connection.workspace.getConfiguration({ scopeUri: uri, section: 'irqtopo' })) as {
        rules?: unknown;
        codeLens?: unknown;
      } | null;
      config.setRules(key, config.parseRules(cfg?.rules, 'workspace/configuration'));
      return config.setLens(key, config.parseLens(cfg?.codeLens));
    } catch (e) {
      warn(`workspace/configuration failed: ${String(e)}`);
      return false;
    }
  }

  /** Asks the client for the code lenses again (they depend on settings the client just changed). */
  function refreshLenses(): void {
    if (!config.refreshCodeLens || !config.clientCommands.has(SHOW_ROUTE_COMMAND)) return;
    connection
      .sendRequest(CodeLensRefreshRequest.type)
      .catch((e: unknown) => warn(`workspace/codeLens/refresh failed: ${String(e)}`));
  }

  // ---- diagnostics ----------------------------------------------------------------------------------

  async function publish(key: string): Promise<void> {
    const d = docs.get(key);
    if (!d) return;
    const e = await project.analysisFor(key);
    if (docs.get(key) !== d) return; // closed meanwhile
    const diags = e ? S.publishFile(e.analysis, e.modelUris.get(key) ?? key) : [];
    await connection.sendDiagnostics({
      uri: d.uri,
      version: d.version,
      diagnostics: diags.map((x) => C.diagnostic(x, spell, link)),
    });
  }

  function makeScheduler(): DiagnosticsScheduler {
    return new DiagnosticsScheduler(
      {
        affected: (changed) => project.affectedBy(changed),
        check: publish,
        cost: (key) => project.peek(project.contextRoot(key))?.ms,
        failed: (key, e) =>
          error(`checking ${key} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
      },
      host.clock,
      { fixedDelay: config.debounceMs },
    );
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  connection.onInitialize((params): InitializeResult => {
    config.initialize(params);
    scheduler = makeScheduler();
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        // no space: it would open the list after every word
        completionProvider: { triggerCharacters: [':', '.', '>', ','], resolveProvider: false },
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
        // the lenses run a client-side command: offered only to clients that run it
        ...(config.clientCommands.has(SHOW_ROUTE_COMMAND)
          ? { codeLensProvider: { resolveProvider: false } }
          : {}),
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    };
  });

  connection.onInitialized(() => {
    if (config.registerConfiguration)
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'irqtopo' });
    // included files change on disk: watch every topology file (not only the open ones)
    if (config.registerWatchedFiles)
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: '**/*.irqtopo', kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete },
        ],
      });
    if (config.workspaceFolders)
      connection.workspace.onDidChangeWorkspaceFolders((ev) => {
        const removed = new Set(ev.removed.map((r) => uriKey(r.uri)));
        config.setFolders([
          ...config.folders.filter((f) => !removed.has(f)),
          ...ev.added.map((a) => uriKey(a.uri)),
        ]);
        project.invalidateWorkspace();
        scheduler?.now(docs.keys());
      });
    log(
      `${SERVER_NAME} ${SERVER_VERSION} started (${host.platform}; workspace ${config.trusted ? 'trusted' : 'not trusted'})`,
    );
  });

  connection.onDidChangeConfiguration(async (change) => {
    const settings = (change.settings ?? {}) as { irqtopo?: { rules?: unknown; codeLens?: unknown } };
    if (settings.irqtopo && 'rules' in settings.irqtopo)
      config.setDefaultRules(config.parseRules(settings.irqtopo.rules, 'didChangeConfiguration'));
    let lensChanged = false;
    if (settings.irqtopo && 'codeLens' in settings.irqtopo)
      lensChanged = config.setDefaultLens(config.parseLens(settings.irqtopo.codeLens));
    if (config.pullConfiguration) {
      config.clearRules();
      const changed = await Promise.all([...docs.keys()].map((k) => pullSettings(docs.get(k)!.uri)));
      lensChanged ||= changed.some(Boolean);
    }
    if (lensChanged) refreshLenses();
    scheduler?.now(docs.keys());
  });

  // ---- documents ----------------------------------------------------------------------------------

  // an opened document waits for its rules; its first check runs after them (and covers the
  // changes that arrive meanwhile)
  const opening = new Set<string>();

  connection.onDidOpenTextDocument(async (p) => {
    const d = docs.open(p);
    opening.add(d.key);
    try {
      await pullSettings(d.uri);
    } finally {
      opening.delete(d.key);
      if (docs.get(d.key) === d) scheduler?.now([d.key]);
    }
  });

  connection.onDidChangeTextDocument((p) => {
    const d = docs.change(p);
    if (d && !opening.has(d.key)) scheduler?.edited(d.key);
  });

  connection.onDidCloseTextDocument((p) => {
    const key = uriKey(p.textDocument.uri);
    const affected = project.affectedBy([key]).filter((k) => k !== key);
    docs.close(key);
    project.closed(key);
    config.forgetRules(key);
    config.forgetLens(key);
    void connection.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
    // files it included now stand alone (or in another context); files including it read the disk
    scheduler?.now(affected);
  });

  connection.onDidChangeWatchedFiles((ev) => {
    const keys: string[] = [];
    for (const ch of ev.changes) {
      const key = uriKey(ch.uri);
      project.fileChanged(key, ch.type !== FileChangeType.Changed);
      keys.push(key);
    }
    scheduler?.now(project.affectedBy(keys));
  });

  connection.onShutdown(() => scheduler?.dispose());

  registerHandlers(connection, {
    docs,
    project,
    config,
    spell,
    link,
    error,
    settled: async (key) => void (await pulling.get(key)),
  });
  const parts: ServerParts = {
    connection,
    config,
    docs,
    project,
    scheduler: () => scheduler ?? (scheduler = makeScheduler()),
  };
  extra?.(parts);
  connection.listen();
  return parts;
}
