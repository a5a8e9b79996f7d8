// The language status item (the `{}` in the status bar for irqtopo files): the followed file's counts
// (domains, interrupts, problems) and the language server's state.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import type { DomainTreeNode } from './shared/types';
import type { Snapshot, TopologyStore } from './store';

export interface Counts {
  domains: number;
  interrupts: number;
  problems: number;
}

export function countsOf(s: Snapshot | undefined): Counts | undefined {
  if (!s?.tree && !s?.routes) return undefined;
  let domains = 0;
  const walk = (n: DomainTreeNode) => {
    domains++;
    n.children.forEach(walk);
  };
  (s.tree?.roots ?? []).forEach(walk);
  const interrupts = (s.routes?.devices ?? []).reduce((k, d) => k + d.irqs.length + (d.unlisted ?? 0), 0);
  // the language server's (source 'irqtopo'), not the irqtopo task's markers (source 'irqtopo check')
  const problems = vscode.languages.getDiagnostics(s.uri).filter((d) => d.source === 'irqtopo').length;
  return { domains, interrupts, problems };
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

export class StatusItem implements vscode.Disposable {
  readonly item: vscode.LanguageStatusItem;
  private readonly subs: vscode.Disposable[] = [];
  private serverState = 'starting';

  constructor(
    client: LanguageClient,
    private readonly store: TopologyStore,
  ) {
    this.item = vscode.languages.createLanguageStatusItem('irqtopo.status', { language: 'irqtopo' });
    this.item.name = 'irqtopo';
    this.item.command = { command: 'irqtopo.showRoutes', title: 'Show Interrupt Routes' };
    this.subs.push(
      this.item,
      client.onDidChangeState((e) => {
        this.serverState =
          e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped';
        this.update();
      }),
      store.onDidChange(() => this.update()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const u = this.store.uri?.toString();
        if (u && e.uris.some((x) => x.toString() === u)) this.update();
      }),
    );
    if (client.isRunning()) this.serverState = 'running';
    this.update();
  }

  /** what the item says (tests read it) */
  text(): { text: string; detail: string } {
    return { text: this.item.text, detail: this.item.detail ?? '' };
  }

  update(): void {
    const c = countsOf(this.store.current);
    this.item.busy = this.serverState === 'starting';
    this.item.severity =
      this.serverState === 'stopped'
        ? vscode.LanguageStatusSeverity.Error
        : c && c.problems > 0
          ? vscode.LanguageStatusSeverity.Warning
          : vscode.LanguageStatusSeverity.Information;
    this.item.text = c
      ? `$(type-hierarchy) ${plural(c.domains, 'domain')} · ${plural(c.interrupts, 'interrupt')} · ${plural(c.problems, 'problem')}`
      : '$(type-hierarchy) irqtopo';
    this.item.detail = `language server ${this.serverState}${this.store.current?.error ? ` (${this.store.current.error})` : ''}`;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
