// What the client told the server: its capabilities, the initialization options, the workspace
// folders, the rule overrides and the code lens settings (defaults from the options or pushed
// settings, per file from workspace/configuration). Every change that alters analyses bumps
// `generation` (the lens settings alter no analysis: only which lenses a request gets).

import type { ClientCapabilities, InitializeParams } from 'vscode-languageserver';
import { ruleDocPath, validateOverrides, type RuleOverrides } from '../core';
import { SHOW_ROUTE_COMMAND, type InitializationOptions } from '../protocol';
import { uriKey } from './uri';

export type Warn = (message: string) => void;

/** `irqtopo.codeLens.*`: whether lenses are shown, and whether irq lines get theirs (one per element). */
export interface LensSettings {
  enabled: boolean;
  interrupts: boolean;
}

/** The defaults of package.json's `irqtopo.codeLens.enabled` and `irqtopo.codeLens.interrupts`. */
export const DEFAULT_LENS: Readonly<LensSettings> = { enabled: true, interrupts: false };

/** The client-side commands a server may name in code lenses (only those a client announces). */
const KNOWN_CLIENT_COMMANDS = new Set([SHOW_ROUTE_COMMAND]);

export class Config {
  /** the fixed debounce (ms), or undefined for the adaptive one */
  debounceMs: number | undefined;
  /** includes outside the workspace folders are read only when true */
  trusted = true;
  /** client-side commands the client runs */
  readonly clientCommands = new Set<string>();
  /** the client answers irqtopo/readFile */
  clientReadsFiles = false;
  rulesDocument: string | undefined;
  /** workspace folders, as keys */
  folders: string[] = [];
  /** bumped when rules or trust change (analyses made before are stale) */
  generation = 0;

  // client capabilities
  pullConfiguration = false;
  registerConfiguration = false;
  registerWatchedFiles = false;
  workspaceFolders = false;
  workDoneProgress = false;
  /** the client answers workspace/codeLens/refresh */
  refreshCodeLens = false;

  private defaults: RuleOverrides = {};
  private readonly byUri = new Map<string, RuleOverrides>();
  private lensDefaults: LensSettings = { ...DEFAULT_LENS };
  private readonly lensByUri = new Map<string, LensSettings>();

  constructor(private readonly warn: Warn) {}

  initialize(params: InitializeParams): void {
    this.capabilities(params.capabilities);
    const raw = params.initializationOptions as unknown;
    const opts = (raw && typeof raw === 'object' ? raw : {}) as Record<keyof InitializationOptions, unknown>;
    if (typeof opts.debounceMs === 'number' && opts.debounceMs >= 0 && Number.isFinite(opts.debounceMs))
      this.debounceMs = opts.debounceMs;
    if (opts.rules !== undefined) this.defaults = this.parseRules(opts.rules, 'initializationOptions');
    if (opts.trustedWorkspace !== undefined) this.trusted = opts.trustedWorkspace !== false;
    if (Array.isArray(opts.clientCommands))
      for (const c of opts.clientCommands)
        if (typeof c === 'string' && KNOWN_CLIENT_COMMANDS.has(c)) this.clientCommands.add(c);
    this.clientReadsFiles = opts.readFile === true;
    if (typeof opts.rulesDocument === 'string') this.rulesDocument = opts.rulesDocument;
    if (opts.codeLens !== undefined) this.lensDefaults = this.parseLens(opts.codeLens, DEFAULT_LENS);
    const folders =
      params.workspaceFolders?.map((f) => f.uri) ??
      (params.rootUri ? [params.rootUri] : params.rootPath ? [params.rootPath] : []);
    this.folders = folders.map(uriKey);
  }

  private capabilities(caps: ClientCapabilities): void {
    this.pullConfiguration = !!caps.workspace?.configuration;
    this.registerConfiguration = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    this.registerWatchedFiles = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    this.workspaceFolders = !!caps.workspace?.workspaceFolders;
    this.workDoneProgress = !!caps.window?.workDoneProgress;
    this.refreshCodeLens = !!caps.workspace?.codeLens?.refreshSupport;
  }

  /** The link to a rule's section of docs/rules.md when the client named where that document is. */
  ruleLink(code: string): string | undefined {
    if (!this.rulesDocument) return undefined;
    const anchor = ruleDocPath(code).split('#')[1];
    return anchor ? `${this.rulesDocument}#${anchor}` : this.rulesDocument;
  }

  // ---- rules --------------------------------------------------------------------------------------

  parseRules(value: unknown, where: string): RuleOverrides {
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.warn(`${where}: irqtopo.rules must be an object (code -> severity); ignored`);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [code, sev] of Object.entries(value as Record<string, unknown>)) {
      const problems = validateOverrides({ [code]: String(sev) });
      if (problems.length) this.warn(`${where}: ${problems.join('; ')}; ignored`);
      else out[code] = String(sev);
    }
    return out as RuleOverrides;
  }

  setDefaultRules(rules: RuleOverrides): void {
    if (same(this.defaults, rules)) return;
    this.defaults = rules;
    this.generation++;
  }

  setRules(key: string, rules: RuleOverrides): void {
    if (same(this.byUri.get(key), rules)) return;
    this.byUri.set(key, rules);
    this.generation++;
  }

  forgetRules(key: string): void {
    this.byUri.delete(key);
  }

  clearRules(): void {
    if (this.byUri.size === 0) return;
    this.byUri.clear();
    this.generation++;
  }

  rulesFor(rootKey: string): RuleOverrides {
    return this.byUri.get(rootKey) ?? this.defaults;
  }

  // ---- code lenses ---------------------------------------------------------------------------------

  /** `{ enabled, interrupts }` from a settings object; a missing or non-boolean field keeps `base`'s. */
  parseLens(value: unknown, base: Readonly<LensSettings> = this.lensDefaults): LensSettings {
    const v = (value && typeof value === 'object' && !Array.isArray(value) ? value : {}) as Record<
      string,
      unknown
    >;
    return {
      enabled: typeof v.enabled === 'boolean' ? v.enabled : base.enabled,
      interrupts: typeof v.interrupts === 'boolean' ? v.interrupts : base.interrupts,
    };
  }

  /** Sets the settings pushed without a URI (didChangeConfiguration); true when they changed. */
  setDefaultLens(s: LensSettings): boolean {
    if (sameLens(this.lensDefaults, s)) return false;
    this.lensDefaults = s;
    return true;
  }

  /** Sets a document's settings (workspace/configuration with its URI); true when they changed. */
  setLens(key: string, s: LensSettings): boolean {
    const before = this.lensFor(key);
    this.lensByUri.set(key, s);
    return !sameLens(before, s);
  }

  forgetLens(key: string): void {
    this.lensByUri.delete(key);
  }

  lensFor(key: string): LensSettings {
    return this.lensByUri.get(key) ?? this.lensDefaults;
  }

  setFolders(keys: string[]): void {
    this.folders = keys;
    if (!this.trusted) this.generation++; // what may be read changed
  }
}

function sameLens(a: LensSettings, b: LensSettings): boolean {
  return a.enabled === b.enabled && a.interrupts === b.interrupts;
}

function same(a: RuleOverrides | undefined, b: RuleOverrides): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
