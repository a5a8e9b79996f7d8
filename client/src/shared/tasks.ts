// The command lines of the `irqtopo` task type (client/src/tasks.ts), pure: unit-tested.
//   check:  one run, `irqtopo check [--rule CODE=SEVERITY]... -- FILE...` (the $irqtopo problem matcher
//           reads its findings)
//   verify: one run per file, `irqtopo verify [--rule CODE=SEVERITY]... -- FILE` (the command takes one
//           FILE), each report under a `==> FILE <==` header when there are several

export type TaskCommand = 'check' | 'verify';
export const TASK_COMMANDS: readonly TaskCommand[] = ['check', 'verify'];

export interface TaskOptions {
  command: TaskCommand;
  /** severity per rule code, passed as --rule CODE=SEVERITY */
  rules?: Record<string, string>;
}

/** The arguments of each run of a task (the CLI's path first), in order. */
export function taskRuns(cli: string, def: TaskOptions, files: readonly string[]): string[][] {
  const rules = Object.entries(def.rules ?? {}).map(([code, sev]) => `--rule=${code}=${sev}`);
  if (def.command === 'verify') return files.map((f) => [cli, 'verify', ...rules, '--', f]);
  return [[cli, def.command, ...rules, '--', ...files]];
}

/** Terminal text: every line break as CRLF (a pseudoterminal does not translate them). */
export function terminalText(s: string): string {
  return s.replace(/\r?\n/g, '\r\n');
}
