// The `irqtopo` task type: `irqtopo check` on a workspace folder's topology files, run with the CLI the
// extension ships (dist/cli.js) under the extension host's own Node (so no Node on PATH is needed), its
// findings read into the Problems panel by the `$irqtopo` problem matcher (package.json); or `irqtopo
// verify` (the fidelity meter of an imported topology), which takes one file: a pseudoterminal runs it
// for each file in turn.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TASK_COMMANDS, taskRuns, terminalText, type TaskCommand } from './shared/tasks';

export const TASK_TYPE = 'irqtopo';

/** What a task in tasks.json says (contributes.taskDefinitions in package.json). */
export interface IrqtopoTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  command: TaskCommand;
  /** glob patterns relative to the workspace folder; default: every *.irqtopo file in it */
  files?: string[];
  /** severity per rule code, passed as --rule CODE=SEVERITY */
  rules?: Record<string, string>;
}

/** At most this many files on one command line (well below Linux's argument-size limit). */
export const MAX_FILES = 2000;
const EXCLUDE = '**/{node_modules,.git}/**';

/** The topology files a task checks, relative to the folder, sorted. */
export async function taskFiles(
  folder: vscode.WorkspaceFolder,
  def: IrqtopoTaskDefinition,
): Promise<{ files: string[]; truncated: boolean }> {
  const found = new Set<string>();
  let truncated = false;
  for (const glob of def.files?.length ? def.files : ['**/*.irqtopo']) {
    const uris = await vscode.workspace.findFiles(
      new vscode.RelativePattern(folder, glob),
      EXCLUDE,
      MAX_FILES + 1,
    );
    for (const u of uris) found.add(path.relative(folder.uri.fsPath, u.fsPath));
    if (found.size > MAX_FILES) truncated = true;
  }
  const files = [...found].sort().slice(0, MAX_FILES);
  return { files, truncated };
}

/** The command line of a check task: node dist/cli.js check [--rule CODE=SEVERITY]... FILE... */
export function taskArgs(cli: string, def: IrqtopoTaskDefinition, files: string[]): string[] {
  return taskRuns(cli, { ...def, command: 'check' }, files)[0];
}

/** The extension host's executable is Electron in VS Code desktop: make it behave as Node. */
const NODE_ENV = { ELECTRON_RUN_AS_NODE: '1' };

/**
 * Runs several command lines one after the other in a task's terminal (each file of `irqtopo verify`),
 * with a `==> FILE <==` header each when there are several; the exit code is the largest.
 */
class SequencePty implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private child: ChildProcess | undefined;
  private stopped = false;

  constructor(
    private readonly runs: string[][],
    private readonly files: string[],
    private readonly cwd: string,
  ) {}

  open(): void {
    void this.next(0, 0);
  }

  private async next(i: number, worst: number): Promise<void> {
    if (this.stopped) return;
    if (i >= this.runs.length) {
      this.closed.fire(worst);
      return;
    }
    if (this.runs.length > 1) this.written.fire(`${i ? '\r\n' : ''}==> ${this.files[i]} <==\r\n`);
    const code = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, this.runs[i], {
        cwd: this.cwd,
        env: { ...process.env, ...NODE_ENV },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = c;
      c.stdout.on('data', (d) => this.written.fire(terminalText(String(d))));
      c.stderr.on('data', (d) => this.written.fire(terminalText(String(d))));
      c.on('error', (e) => {
        this.written.fire(terminalText(`irqtopo: ${e.message}\n`));
        resolve(2);
      });
      c.on('close', (n) => resolve(n ?? 2));
    });
    this.child = undefined;
    await this.next(i + 1, Math.max(worst, code));
  }

  handleInput(data: string): void {
    if (data === '\x03') this.stop(); // Ctrl+C
  }

  private stop(): void {
    this.stopped = true;
    this.child?.kill();
    this.closed.fire(130);
  }

  /** The terminal was closed: stop the run. */
  close(): void {
    this.stopped = true;
    this.child?.kill();
  }
}

export class IrqtopoTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly cli: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const def: IrqtopoTaskDefinition = { type: TASK_TYPE, command: 'check' };
      const t = await this.task(folder, def);
      if (t) tasks.push(t);
    }
    return tasks;
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const def = task.definition as IrqtopoTaskDefinition;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') return undefined;
    return this.task(folder, def, task.name);
  }

  private async task(
    folder: vscode.WorkspaceFolder,
    def: IrqtopoTaskDefinition,
    name = 'check',
  ): Promise<vscode.Task | undefined> {
    const { files, truncated } = await taskFiles(folder, def);
    if (files.length === 0) return undefined;
    if (truncated)
      this.log.warn(
        `[task] ${folder.name}: more than ${MAX_FILES} topology files; checking the first ${MAX_FILES}`,
      );
    const command: TaskCommand = TASK_COMMANDS.includes(def.command) ? def.command : 'check';
    const runs = taskRuns(this.cli, { command, rules: def.rules }, files);
    const cwd = folder.uri.fsPath;
    const execution =
      command === 'check'
        ? new vscode.ProcessExecution(process.execPath, runs[0], { cwd, env: NODE_ENV })
        : new vscode.CustomExecution(() => Promise.resolve(new SequencePty(runs, files, cwd)));
    const task = new vscode.Task(def, folder, name, TASK_TYPE, execution, ['$irqtopo']);
    task.detail = `irqtopo ${command} on ${files.length === 1 ? files[0] : `${files.length} topology files`}`;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, clear: true };
    return task;
  }
}
