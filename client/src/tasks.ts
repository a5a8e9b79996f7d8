// The `irqtopo` task type: `irqtopo check` on a workspace folder's topology files, run with the CLI the
// extension ships (dist/cli.js) under the extension host's own Node (so no Node on PATH is needed), its
// findings read into the Problems panel by the `$irqtopo` problem matcher (package.json).
import * as path from 'node:path';
import * as vscode from 'vscode';

export const TASK_TYPE = 'irqtopo';

/** What a task in tasks.json says (contributes.taskDefinitions in package.json). */
export interface IrqtopoTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  command: 'check';
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

/** The command line of a task: node dist/cli.js check [--rule CODE=SEVERITY]... FILE... */
export function taskArgs(cli: string, def: IrqtopoTaskDefinition, files: string[]): string[] {
  const rules = Object.entries(def.rules ?? {}).map(([code, sev]) => `--rule=${code}=${sev}`);
  return [cli, def.command, ...rules, '--', ...files];
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
    const execution = new vscode.ProcessExecution(process.execPath, taskArgs(this.cli, def, files), {
      cwd: folder.uri.fsPath,
      // the extension host's executable is Electron in VS Code desktop: make it behave as Node
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    const task = new vscode.Task(def, folder, name, TASK_TYPE, execution, ['$irqtopo']);
    task.detail = `irqtopo check on ${files.length === 1 ? files[0] : `${files.length} topology files`}`;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, clear: true };
    return task;
  }
}
