// A minimal LSP client for the protocol tests and the bench: spawns the bundled server over stdio
// and waits on notifications (never on a sleep).

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const ROOT = path.resolve(__dirname, '../../..');
/** the bundled server (IRQTOPO_TEST_SERVER: another build, e.g. to see a regression test fail on it) */
export const SERVER = process.env.IRQTOPO_TEST_SERVER ?? path.join(ROOT, 'dist', 'server.js');

export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

export interface Options {
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  workspaceFolder?: string;
  /** answers workspace/configuration */
  configuration?: (items: { scopeUri?: string; section?: string }[]) => unknown[];
}

export class Client {
  readonly connection: ProtocolConnection;
  readonly proc: ChildProcess;
  initializeResult!: InitializeResult;
  private readonly waiters: {
    uri: string;
    version?: number;
    accept?: (p: PublishDiagnosticsParams) => boolean;
    resolve: (p: PublishDiagnosticsParams) => void;
  }[] = [];
  readonly latest = new Map<string, PublishDiagnosticsParams>();
  readonly publishCount = new Map<string, number>();
  private versions = new Map<string, number>();
  stderr = '';
  /** the capabilities the server registered (client/registerCapability) */
  readonly registrations: { id: string; method: string; registerOptions?: unknown }[] = [];
  /** error messages the server logged (window/logMessage, type Error) */
  readonly errors: string[] = [];
  exited: number | null = null;

  constructor(readonly options: Options = {}) {
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => (this.stderr += String(d)));
    this.proc.on('exit', (code) => (this.exited = code ?? -1));
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.proc.stdout!),
      new StreamMessageWriter(this.proc.stdin!),
    );
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.latest.set(p.uri, p);
      this.publishCount.set(p.uri, (this.publishCount.get(p.uri) ?? 0) + 1);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (
          w.uri === p.uri &&
          (w.version === undefined || p.version === w.version) &&
          (!w.accept || w.accept(p))
        ) {
          this.waiters.splice(i, 1);
          w.resolve(p);
        }
      }
    });
    this.connection.onRequest(
      'workspace/configuration',
      (params: { items: { scopeUri?: string; section?: string }[] }) =>
        options.configuration ? options.configuration(params.items) : params.items.map(() => null),
    );
    this.connection.onRequest(
      'client/registerCapability',
      (p: { registrations: { id: string; method: string; registerOptions?: unknown }[] }) => {
        this.registrations.push(...p.registrations);
        return null;
      },
    );
    this.connection.onNotification('window/logMessage', (m: { type: number; message: string }) => {
      if (m.type === 1) this.errors.push(m.message);
    });
    this.connection.listen();
  }

  async start(): Promise<InitializeResult> {
    const folder = this.options.workspaceFolder;
    this.initializeResult = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: folder ? uriOf(folder) : null,
      workspaceFolders: folder ? [{ uri: uriOf(folder), name: path.basename(folder) }] : null,
      capabilities: this.options.capabilities ?? {},
      initializationOptions: this.options.initializationOptions,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return this.initializeResult;
  }

  /** The next publish for a URI (at a version, when given). Register before sending the change. */
  diagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  /** The first publish for a URI that satisfies a predicate. */
  diagnosticsWhere(
    uri: string,
    accept: (p: PublishDiagnosticsParams) => boolean,
  ): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push({ uri, accept, resolve }));
  }

  async open(uri: string, text: string, version = 1): Promise<PublishDiagnosticsParams> {
    this.versions.set(uri, version);
    const wait = this.diagnostics(uri, version);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'irqtopo', version, text },
    });
    return wait;
  }

  /** Sends a change; resolves with the diagnostics published for that version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const wait = this.diagnostics(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return wait;
  }

  /** Sends a change without waiting for diagnostics. */
  async changeNoWait(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return version;
  }

  async stop(): Promise<void> {
    if (this.exited === null) {
      try {
        await this.connection.sendRequest(ShutdownRequest.type);
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        // already gone
      }
      await new Promise<void>((resolve) => {
        if (this.exited !== null) return resolve();
        const t = setTimeout(() => {
          this.proc.kill();
          resolve();
        }, 2000);
        this.proc.on('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.connection.dispose();
  }
}

/** A generated x86 topology of about `lines` lines: IR units, devices with MSI-X, interrupts. */
export function generateTopology(lines: number): string {
  const out: string[] = ['arch x86', 'kernel 6.6', 'cpus 0-255', '', 'domain VECTOR : vector'];
  const units = 4;
  for (let u = 0; u < units; u++) {
    const first = (u * 256) / units;
    const last = first + 256 / units - 1;
    out.push(
      `domain IR-${u} : remap {`,
      '  parent VECTOR',
      '  vendor intel',
      `  scope 0000:${first.toString(16).padStart(2, '0')}-${last.toString(16)}`,
      '}',
    );
  }
  out.push('');
  // 6 lines per device: a 4-line device block and two irq statements
  const devices = Math.max(1, Math.floor((lines - out.length) / 6));
  for (let i = 0; i < devices; i++) {
    const bus = (i >> 8) & 0xff;
    const dev = (i >> 3) & 0x1f;
    const fn = i & 7;
    const seg = i >> 16;
    const bdf = `${seg.toString(16).padStart(4, '0')}:${bus.toString(16).padStart(2, '0')}:${dev.toString(16).padStart(2, '0')}.${fn}`;
    out.push(
      `device nic${i} {`,
      `  pci ${bdf}`,
      '  msix 4',
      '}',
      `irq nic${i}.misc : msix 0`,
      `irq nic${i}.q[0..1] : msix`,
    );
  }
  while (out.length < lines) out.push('# padding');
  return out.join('\n') + '\n';
}
