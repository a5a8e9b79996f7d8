// Reads one input text: finds out, line by line, which dump format each part is in
// (/proc/interrupts, debugfs irqs/<n>, debugfs domains/<name> with the VECTOR matrix, an `ls` of the
// domains folder), tolerating grep-style `file:` prefixes, shell prompts, kernel log lines and
// trailing annotations. Pure: no I/O. Never throws on any text (the facade also guards it).

import type {
  DebugDomain,
  DebugIrq,
  Format,
  IrqLevel,
  Matrix,
  ParsedInput,
  ProcRow,
  ProcTable,
  ProblemSeverity,
  Src,
} from './types';
import { parseList, parseNum } from './util';

// ---- line shapes ------------------------------------------------------------------------------

const IRQ_KEYS = [
  'handler',
  'device',
  'status',
  'istate',
  'ddepth',
  'wdepth',
  'dstate',
  'node',
  'affinity',
  'effectiv',
  'pending',
  'domain',
  'hwirq',
  'chip',
  'Vector',
  'Target',
  'Previous vector',
  'Previous target',
  'move_in_progress',
  'is_managed',
  'can_reserve',
  'has_reserved',
  'cleanup_pending',
  'address_hi',
  'address_lo',
  'msg_data',
];
const SHARED_KEYS = ['flags', 'parent'];
const DOMAIN_KEYS = ['name', 'size', 'mapped'];
const MATRIX_KEYS = ['Online bitmaps', 'Global available', 'Global reserved', 'Total allocated', 'System'];
const ALL_KEYS = [...IRQ_KEYS, ...SHARED_KEYS, ...DOMAIN_KEYS, ...MATRIX_KEYS];
const KEY_RE = new RegExp(`^(\\s*)(${ALL_KEYS.join('|')}):(?:\\s+(.*?))?\\s*$`);
const IRQ_KEY_SET = new Set(IRQ_KEYS);
const DOMAIN_KEY_SET = new Set(DOMAIN_KEYS);
const MATRIX_KEY_SET = new Set(MATRIX_KEYS);

/** IRQD_*, IRQCHIP_*, _IRQ_*, IRQS_* and domain flag names, one per line under their hex value */
const FLAG_NAME_RE = /^\s+(?:IRQD_|IRQCHIP_|_IRQ_|IRQS_|IRQ_)[A-Z0-9_]+\s*$/;
const BARE_FLAG_NAME_RE = /^\s+[A-Z][A-Z0-9_]+\s*$/;
const MATRIX_HEADER_RE = /^\s*\|\s*CPU\s*\|\s*avl\s*\|\s*man\s*\|(\s*mac\s*\|)?\s*act\s*\|\s*vectors\s*$/;
const MATRIX_ROW_RE = /^\s*\d+(?:\s+\d+){3,4}(?:\s+[\d,-]+)?\s*$/;
const PROC_HEADER_RE = /^\s*(?:CPU\d+\s+)*CPU\d+\s*$/;
const PROC_ROW_RE = /^\s*(\d+|[A-Za-z][A-Za-z0-9_]*):(?=\s+\d)(.*)$/;
const DMESG_RE = /^\s*\[\s*\d+\.\d+\]/;
const ELISION_RE = /^\s*(?:\.{3,}|…+)\s*$/;
const NOTE_RE = /^\s*(?:#|\/\/|<-|--\s)/;
const LS_LONG_RE =
  /^[-dlcbps][-rwxsStT]{9}[.+@]?\s+\d+\s+\S+\s+\S+\s+\d+\s+\S+\s+\d+\s+[\d:]+\s+(.+?)\s*(?:->.*)?$/;
const COMMANDS =
  'cat|ls|ll|grep|egrep|head|tail|find|for|echo|cd|chcpu|uname|dmesg|lspci|less|more|sort|tree|tee|awk|sed|cut|watch';
const CMD_RE = new RegExp(
  `^(?:.*?[#$%>»➜❯]\\s*(?:[\\w.~/@:-]+\\s+)?)?\\s*(?:sudo\\s+)?(${COMMANDS})\\b(.*)$`,
);
/** a trailing annotation added by whoever published the dump: `  <-- this one`, `  # note` */
const ANNOTATION_RE = /\s+(?:<-+|<=+|=>|←|⟵|#|\/\/)(?:\s.*)?$/;

const CONTENT_RES = [KEY_RE, FLAG_NAME_RE, MATRIX_HEADER_RE, MATRIX_ROW_RE, PROC_HEADER_RE, PROC_ROW_RE];

/** The grep-style `file:` prefix of a line, if the rest is a known dump line. */
function grepPrefix(line: string): string | undefined {
  let from = 0;
  for (let k = 0; k < 12; k++) {
    const i = line.indexOf(':', from);
    if (i <= 0) return undefined;
    const prefix = line.slice(0, i);
    if (/\s/.test(prefix)) return undefined;
    const rest = line.slice(i + 1);
    if (CONTENT_RES.some((re) => re.test(rest))) return prefix;
    from = i + 1;
  }
  return undefined;
}

function basename(p: string): string {
  const t = p.replace(/\/+$/, '');
  const i = t.lastIndexOf('/');
  return i >= 0 ? t.slice(i + 1) : t;
}

function stripQuotes(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && ((t[0] === "'" && t.endsWith("'")) || (t[0] === '"' && t.endsWith('"'))))
    return t.slice(1, -1);
  return t;
}

// ---- /proc/interrupts rows -----------------------------------------------------------------------

const LEGACY_FLOWS = 'edge|fasteoi|level|simple|percpu|edge-irq|nmi|bad|untracked';

/** Splits the text after the counts of a numbered row into chip, hwirq, trigger, flow and actions. */
export function parseDescriptor(
  rest: string,
): Pick<ProcRow, 'chip' | 'hwirq' | 'trigger' | 'flow' | 'actions' | 'legacyForm'> {
  const t = rest.trim();
  const actions = (s: string | undefined): string[] =>
    s === undefined || s.trim() === ''
      ? []
      : s
          .split(/,\s+/)
          .map((a) => a.trim())
          .filter((a) => a !== '');
  // x86, hierarchical domains (>= ~4.3): `IR-PCI-MSIX-0000:03:00.0    0-edge      nvme1q0`
  let m = /^(\S.*?)\s+(\d+)-([A-Za-z_][\w-]*?)(?:\s+(.*?))?$/.exec(t);
  if (m && !/\s{2,}/.test(m[1]))
    return { chip: m[1], hwirq: Number(m[2]), flow: m[3], actions: actions(m[4]) };
  // GENERIC_IRQ_SHOW_LEVEL (arm64, riscv): `ITS-PCI-MSIX-0000:00:02.0   1 Edge      virtio1-req.0`
  m = /^(\S.*?)\s+(\d+)\s+(Edge|Level)(?:\s+-(\S+))?(?:\s+(.*?))?$/.exec(t);
  if (m && !/\s{2,}/.test(m[1]))
    return { chip: m[1], hwirq: Number(m[2]), trigger: m[3], flow: m[4], actions: actions(m[5]) };
  // pre-hierarchy x86 (<= ~4.2): `IR-PCI-MSI-edge      eth0`, `IO-APIC-fasteoi   acpi`
  m = new RegExp(`^(\\S+?)-(${LEGACY_FLOWS})(?:\\s+(.*?))?$`).exec(t);
  if (m) return { chip: m[1], flow: m[2], legacyForm: true, actions: actions(m[3]) };
  // a chip without a domain (no hwirq column): `XT-PIC          cascade`
  m = /^(\S+)(?:\s+(.*?))?$/.exec(t);
  if (m) return { chip: m[1], actions: actions(m[2]) };
  return { actions: [] };
}

// ---- the line-by-line reader --------------------------------------------------------------------

interface Line {
  no: number;
  raw: string;
  /** the line without its grep prefix and trailing annotation */
  text: string;
  prefix?: string;
}

class Reader {
  readonly out: ParsedInput;
  private table: ProcTable | undefined;
  private irq: DebugIrq | undefined;
  private level: IrqLevel | undefined;
  private domain: (DebugDomain & { indent: number; pendingParent?: { name: string; src: Src } }) | undefined;
  private matrix: Matrix | undefined;
  private lsMode = false;
  /** the last command that is neither `cat` nor `ls`: its output is context, not a dump */
  private otherCommand: string | undefined;
  private pendingName: string | undefined;
  private lastPrefix: string | undefined;
  private readonly formats = new Set<Format>();

  constructor(private readonly name: string) {
    this.out = {
      name,
      formats: [],
      procTables: [],
      irqs: [],
      domains: [],
      matrices: [],
      ls: [],
      kept: [],
      factLines: 0,
      lineCount: 0,
    };
  }

  private src(l: Line): Src {
    return { file: this.name, line: l.no };
  }

  private keep(l: Line, why: string, severity: ProblemSeverity = 'warning'): void {
    this.out.kept.push({ src: this.src(l), text: l.raw, why, severity });
  }

  private fact(): void {
    this.out.factLines++;
    this.otherCommand = undefined;
  }

  read(text: string): ParsedInput {
    // a file read from a debugfs folder carries its irq number or domain name in its path
    const m = /(?:^|[/\\])(?:irqs[/\\](\d+)|domains[/\\]([^/\\]+))$/.exec(this.name);
    if (m) this.pendingName = m[1] ?? m[2];
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const rawLines = body.split(/\r\n|\n|\r/);
    if (rawLines.length > 1 && rawLines[rawLines.length - 1] === '') rawLines.pop();
    this.out.lineCount = rawLines.length;
    // grep-style when most non-blank lines carry a `file:` prefix
    const prefixes = rawLines.map((l) => grepPrefix(l));
    const nonBlank = rawLines.filter((l) => l.trim() !== '').length;
    const prefixed = prefixes.filter((p) => p !== undefined).length;
    const grepStyle = prefixed > 0 && prefixed * 2 >= nonBlank;
    let last: string | undefined;
    for (let i = 0; i < rawLines.length; i++) {
      const raw = rawLines[i];
      let prefix = grepStyle ? prefixes[i] : undefined;
      // a line of the same file whose content is not a known shape keeps its file's prefix
      if (grepStyle && prefix === undefined && last !== undefined && raw.startsWith(last + ':'))
        prefix = last;
      if (prefix !== undefined) last = prefix;
      let text = prefix !== undefined ? raw.slice(prefix.length + 1) : raw;
      text = text.replace(ANNOTATION_RE, '');
      this.line({ no: i + 1, raw, text, prefix });
    }
    this.closeRecords();
    this.out.formats = [...this.formats];
    return this.out;
  }

  private closeRecords(): void {
    this.closeIrq();
    this.closeDomain();
    this.matrix = undefined;
  }

  private closeIrq(): void {
    if (this.irq) this.out.irqs.push(this.irq);
    this.irq = undefined;
    this.level = undefined;
  }

  private closeDomain(): void {
    const d = this.domain;
    if (d) {
      if (d.pendingParent) d.chain.push({ name: d.pendingParent.name, src: d.pendingParent.src });
      this.out.domains.push({ chain: d.chain, matrix: d.matrix, fileName: d.fileName, src: d.src });
    }
    this.domain = undefined;
    this.matrix = undefined;
  }

  private line(l: Line): void {
    if (l.prefix !== this.lastPrefix) {
      if (l.prefix !== undefined) {
        this.closeRecords();
        this.pendingName = basename(l.prefix);
      }
      this.lastPrefix = l.prefix;
    }
    const t = l.text;
    if (t.trim() === '') {
      this.closeIrq();
      this.closeDomain();
      return;
    }
    const key = KEY_RE.exec(t);
    if (key) return this.keyLine(l, key[1].length, key[2], key[3] ?? '');
    if (FLAG_NAME_RE.test(t) || (BARE_FLAG_NAME_RE.test(t) && (this.irq || this.domain))) {
      if (this.irq || this.domain) {
        if (this.irq && /^\s+IRQD_/.test(t)) this.irq.dstate.push(t.trim());
        this.fact();
        return;
      }
      return this.keep(l, 'a flag name outside any irqs/ or domains/ record');
    }
    if (MATRIX_HEADER_RE.test(t)) {
      const m = this.ensureMatrix(l);
      m.hasMac = /mac/.test(t);
      this.formats.add('debugfs-domains');
      this.fact();
      return;
    }
    if (this.matrix && MATRIX_ROW_RE.test(t)) return this.matrixRow(l);
    if (PROC_HEADER_RE.test(t)) return this.procHeader(l);
    const row = PROC_ROW_RE.exec(t);
    if (row) return this.procRow(l, row[1], row[2]);
    // context lines: kernel log lines, prompts and commands, `ls` output, elisions, notes
    if (DMESG_RE.test(t))
      return this.keep(l, 'a kernel log line (no topology fact is read from it)', 'information');
    const cmd = CMD_RE.exec(l.raw);
    if (cmd) return this.command(cmd[1], cmd[2] ?? '');
    const ls = LS_LONG_RE.exec(t);
    if (ls) return this.lsNames(l, [ls[1]]);
    if (this.lsMode && !/:\s/.test(t)) {
      const names = t.match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
      return this.lsNames(l, names);
    }
    if (this.otherCommand !== undefined)
      return this.keep(
        l,
        `output of \`${this.otherCommand}\` (no topology fact is read from it)`,
        'information',
      );
    if (ELISION_RE.test(t))
      return this.keep(l, 'an elision: lines were left out of this dump', 'information');
    if (NOTE_RE.test(l.raw)) return this.keep(l, 'a note', 'information');
    this.keep(l, 'not understood');
  }

  private command(cmd: string, args: string): void {
    this.closeRecords();
    this.table = undefined;
    this.lsMode = cmd === 'ls' || cmd === 'll';
    this.pendingName = undefined;
    const isCat = ['cat', 'head', 'tail', 'less', 'more', 'grep', 'egrep', 'find', 'for'].includes(cmd);
    this.otherCommand = this.lsMode || isCat ? undefined : `${cmd}${args}`.trim();
    if (cmd === 'cat' || cmd === 'head' || cmd === 'tail' || cmd === 'less' || cmd === 'more') {
      const paths = args
        .trim()
        .split(/\s+/)
        .filter((a) => a !== '' && !a.startsWith('-'));
      if (paths.length === 1) this.pendingName = basename(stripQuotes(paths[0]));
    }
  }

  private lsNames(l: Line, names: string[]): void {
    this.closeRecords();
    for (const n of names) {
      const name = stripQuotes(n).trim();
      if (name === '' || name === '.' || name === '..' || /^total$/.test(name)) continue;
      this.out.ls.push({ name, src: this.src(l) });
    }
    this.formats.add('ls-domains');
    this.fact();
  }

  // ---- debugfs key lines ----

  private keyLine(l: Line, indent: number, key: string, value: string): void {
    this.lsMode = false;
    if (MATRIX_KEY_SET.has(key)) return this.matrixKey(l, key, value);
    if (key === 'handler' || (IRQ_KEY_SET.has(key) && !this.irq)) {
      this.closeRecords();
      this.table = undefined;
      this.startIrq(l);
    }
    if (IRQ_KEY_SET.has(key)) return this.irqKey(l, key, value);
    if (DOMAIN_KEY_SET.has(key) || !this.irq) {
      if (this.irq) this.closeIrq();
      return this.domainKey(l, indent, key, value);
    }
    // flags / parent inside an irqs/ record
    if (key === 'flags' && value !== '' && parseNum(value) === undefined) return this.bad(l, key, value);
    this.fact();
  }

  private bad(l: Line, key: string, value: string): void {
    this.keep(l, `could not read the value of '${key}:' ('${value}')`);
  }

  private startIrq(l: Line): void {
    const n =
      this.pendingName !== undefined && /^\d+$/.test(this.pendingName) ? Number(this.pendingName) : undefined;
    this.irq = { irq: n, dstate: [], levels: [], src: this.src(l), file: this.name };
    this.pendingName = undefined;
    this.formats.add('debugfs-irqs');
  }

  private irqKey(l: Line, key: string, value: string): void {
    const irq = this.irq!;
    const s = this.src(l);
    const num = (): number | undefined => {
      const v = parseNum(value);
      if (v === undefined) this.bad(l, key, value);
      return v;
    };
    const list = (): number[] | undefined => {
      const v = parseList(value);
      if (v === undefined) this.bad(l, key, value);
      return v;
    };
    switch (key) {
      case 'handler':
        irq.handler = value;
        break;
      case 'device':
        irq.device = value;
        break;
      case 'affinity':
        irq.affinity = list();
        break;
      case 'effectiv':
        irq.effective = list();
        irq.effectiveSrc = s;
        break;
      case 'pending':
        irq.pending = list();
        break;
      case 'domain':
        this.level = { domain: value, src: s };
        irq.levels.push(this.level);
        break;
      case 'status':
      case 'istate':
      case 'ddepth':
      case 'wdepth':
      case 'dstate':
      case 'node':
        if (num() === undefined) return;
        break;
      default: {
        const lv = this.level;
        if (!lv) {
          this.keep(l, `'${key}:' before any 'domain:' line`);
          return;
        }
        switch (key) {
          case 'hwirq':
            lv.hwirq = num();
            break;
          case 'chip':
            lv.chip = value;
            break;
          case 'Vector':
            lv.vector = num();
            lv.vectorSrc = s;
            break;
          case 'Target':
            lv.target = num();
            lv.targetSrc = s;
            break;
          case 'Previous vector':
            lv.prevVector = num();
            break;
          case 'Previous target':
            lv.prevTarget = num();
            break;
          case 'move_in_progress':
            lv.moveInProgress = num() === 1;
            break;
          case 'is_managed':
            lv.managed = num() === 1;
            lv.managedSrc = s;
            break;
          case 'address_hi':
            lv.addressHi = num();
            break;
          case 'address_lo':
            lv.addressLo = num();
            break;
          case 'msg_data':
            lv.msgData = num();
            break;
          default:
            if (num() === undefined) return;
        }
      }
    }
    this.fact();
  }

  private domainKey(l: Line, indent: number, key: string, value: string): void {
    const s = this.src(l);
    if (key === 'name') {
      if (!this.domain || indent <= this.domain.indent || this.domain.pendingParent === undefined) {
        this.closeRecords();
        this.table = undefined;
        this.domain = { chain: [], indent, fileName: this.pendingName, src: s };
        this.pendingName = undefined;
        this.formats.add('debugfs-domains');
      } else {
        this.domain.pendingParent = undefined;
      }
      this.domain.chain.push({ name: value, src: s });
      this.fact();
      return;
    }
    const d = this.domain;
    if (!d || d.chain.length === 0) {
      this.keep(l, `'${key}:' outside a domains/ record (no 'name:' line before it)`);
      return;
    }
    const lv = d.chain[d.chain.length - 1];
    if (key === 'parent') {
      if (value === '') return this.bad(l, key, value);
      d.pendingParent = { name: value, src: s };
      this.fact();
      return;
    }
    const v = parseNum(value);
    if (v === undefined) return this.bad(l, key, value);
    if (key === 'size') lv.size = v;
    else if (key === 'mapped') lv.mapped = v;
    else if (key === 'flags') lv.flags = v;
    this.fact();
  }

  // ---- the VECTOR matrix ----

  private ensureMatrix(l: Line): Matrix {
    if (!this.matrix) {
      this.closeIrq();
      this.matrix = { hasMac: true, rows: [], src: this.src(l) };
      this.out.matrices.push(this.matrix);
      if (this.domain) this.domain.matrix = this.matrix;
    }
    return this.matrix;
  }

  private matrixKey(l: Line, key: string, value: string): void {
    if (key === 'Online bitmaps' && this.matrix) this.matrix = undefined; // a new snapshot
    const m = this.ensureMatrix(l);
    this.formats.add('debugfs-domains');
    if (key === 'System') {
      const sm = /^(\d+):\s*(.*)$/.exec(value);
      const list = sm ? parseList(sm[2], 255) : undefined;
      if (!sm || !list) return this.bad(l, key, value);
      m.systemCount = Number(sm[1]);
      m.system = list;
      m.systemSrc = this.src(l);
      this.fact();
      return;
    }
    const v = parseNum(value);
    if (v === undefined) return this.bad(l, key, value);
    if (key === 'Online bitmaps') m.online = v;
    else if (key === 'Global available') m.globalAvailable = v;
    else if (key === 'Global reserved') m.globalReserved = v;
    else if (key === 'Total allocated') m.totalAllocated = v;
    this.fact();
  }

  private matrixRow(l: Line): void {
    const m = this.matrix!;
    const tok = l.text.trim().split(/\s+/);
    const n = m.hasMac ? 5 : 4;
    const nums = tok.slice(0, n).map(Number);
    const vectors = tok.length > n ? parseList(tok[n], 255) : [];
    if (tok.length > n + 1 || nums.length < n || nums.some((x) => !Number.isFinite(x)) || !vectors) {
      this.keep(l, 'a VECTOR matrix row that does not have the columns of its header');
      return;
    }
    const [cpu, avl, man] = nums;
    m.rows.push({
      cpu,
      avl,
      man,
      mac: m.hasMac ? nums[3] : undefined,
      act: m.hasMac ? nums[4] : nums[3],
      vectors,
      src: this.src(l),
    });
    this.fact();
  }

  // ---- /proc/interrupts ----

  private procHeader(l: Line): void {
    this.closeRecords();
    this.lsMode = false;
    const cpus = (l.text.match(/CPU(\d+)/g) ?? []).map((c) => Number(c.slice(3)));
    this.table = { cpus, headerSrc: this.src(l), rows: [], perCpu: [], file: this.name };
    this.out.procTables.push(this.table);
    this.formats.add('proc-interrupts');
    this.fact();
  }

  private procRow(l: Line, key: string, after: string): void {
    this.closeRecords();
    this.lsMode = false;
    if (!this.table) {
      this.table = { rows: [], perCpu: [], file: this.name };
      this.out.procTables.push(this.table);
    }
    this.formats.add('proc-interrupts');
    const ncpu = this.table.cpus?.length;
    const counts: number[] = [];
    const re = /\s+(\d+)(?=\s|$)/y;
    let pos = 0;
    for (;;) {
      if (ncpu !== undefined && counts.length >= ncpu) break;
      re.lastIndex = pos;
      const m = re.exec(after);
      if (!m) break;
      counts.push(Number(m[1]));
      pos = re.lastIndex;
    }
    const rest = after.slice(pos);
    const isNumbered = /^\d+$/.test(key);
    const row: ProcRow = { key, counts, actions: [], rest: rest.trim(), src: this.src(l) };
    if (isNumbered) {
      row.irq = Number(key);
      Object.assign(row, parseDescriptor(rest));
      if (ncpu !== undefined && counts.length < ncpu)
        this.keep(l, `this row has ${counts.length} counts but the header names ${ncpu} CPUs (truncated?)`);
      if (!row.chip) this.keep(l, 'no chip name after the counts (truncated?)');
      this.table.rows.push(row);
    } else {
      row.description = rest.trim() || undefined;
      this.table.perCpu.push(row);
    }
    this.fact();
  }
}

/** Reads one input. */
export function parseInput(name: string, text: string): ParsedInput {
  return new Reader(name).read(text);
}
