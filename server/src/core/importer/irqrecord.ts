// One key line of a debugfs irqs/<n> record (kernel/irq/debugfs.c irq_debug_show and the domains'
// debug_show: x86_vector_debug_show, msi_domain_debug_show), read into the record with its numbers
// range-checked: a CPU below NR_CPUS, a vector below 256, a 32-bit message, flags of 0 or 1.

import type { LineIn } from './parse';
import type { DebugIrq, IrqLevel, Src } from './types';
import { MAX_CPUS, MAX_NAME, parseIdList, parseNum, parseSigned } from './util';

/** debugfs chains deeper than this are not the kernel's (x86 has at most 4 levels) */
const MAX_LEVELS = 32;

export interface IrqRecordSink {
  irq: DebugIrq;
  level: IrqLevel | undefined;
  src(l: LineIn): Src;
  bad(l: LineIn, key: string, value: string, why?: string): void;
  keep(l: LineIn, why: string): void;
  fact(): void;
}

export function irqKey(r: IrqRecordSink, l: LineIn, key: string, value: string): void {
  const irq = r.irq;
  const s = r.src(l);
  const num = (max = Number.MAX_SAFE_INTEGER, what?: string): number | undefined => {
    const v = parseNum(value);
    if (v === undefined) r.bad(l, key, value);
    else if (v > max) {
      r.bad(l, key, value, `${what ?? 'the value'} is above ${max}`);
      return undefined;
    }
    return v;
  };
  const flag = (): boolean | undefined => {
    const v = num(1, 'a flag');
    return v === undefined ? undefined : v === 1;
  };
  const list = (): number[] | undefined => {
    const res = parseIdList(value, MAX_CPUS);
    if (!res.ok) {
      r.bad(l, key, value, res.why);
      return undefined;
    }
    return res.values;
  };
  switch (key) {
    case 'handler':
      irq.handler = value.slice(0, MAX_NAME);
      break;
    case 'device':
      irq.device = value.slice(0, MAX_NAME);
      break;
    case 'affinity':
      irq.affinity = list();
      irq.affinitySrc = s;
      break;
    case 'effectiv':
      irq.effective = list();
      irq.effectiveSrc = s;
      break;
    case 'pending':
      irq.pending = list();
      break;
    case 'node': {
      const v = parseSigned(value);
      if (v === undefined || v < -1 || v >= 1024) return r.bad(l, key, value, 'not a NUMA node (-1 to 1023)');
      irq.node = v;
      break;
    }
    case 'domain':
      if (value.length > MAX_NAME) return r.bad(l, key, value, `a name longer than ${MAX_NAME} characters`);
      if (irq.levels.length >= MAX_LEVELS)
        return r.keep(l, `more than ${MAX_LEVELS} domain levels in one irqs/ record: not read`);
      r.level = { domain: value, src: s };
      irq.levels.push(r.level);
      break;
    case 'status':
    case 'istate':
    case 'ddepth':
    case 'wdepth':
    case 'dstate':
      if (num() === undefined) return;
      break;
    default: {
      const lv = r.level;
      if (!lv) return r.keep(l, `'${key}:' before any 'domain:' line`);
      switch (key) {
        case 'hwirq':
          lv.hwirq = num();
          break;
        case 'chip':
          if (value.length > MAX_NAME)
            return r.bad(l, key, value, `a name longer than ${MAX_NAME} characters`);
          lv.chip = value;
          break;
        case 'Vector':
          lv.vector = num(255, 'a vector');
          lv.vectorSrc = s;
          break;
        case 'Target':
          lv.target = num(MAX_CPUS - 1, 'a CPU');
          lv.targetSrc = s;
          break;
        case 'Previous vector':
          lv.prevVector = num(255, 'a vector');
          break;
        case 'Previous target':
          lv.prevTarget = num(MAX_CPUS - 1, 'a CPU');
          break;
        case 'move_in_progress':
          lv.moveInProgress = flag();
          break;
        case 'is_managed':
          lv.managed = flag();
          lv.managedSrc = s;
          break;
        case 'can_reserve':
          lv.canReserve = flag();
          break;
        case 'has_reserved':
          lv.hasReserved = flag();
          break;
        case 'msi':
        case 'msix':
          break;
        case 'address_hi':
          lv.addressHi = num(0xffffffff, 'a 32-bit value');
          lv.msgSrc ??= s;
          break;
        case 'address_lo':
          lv.addressLo = num(0xffffffff, 'a 32-bit value');
          lv.msgSrc ??= s;
          break;
        case 'msg_data':
          lv.msgData = num(0xffffffff, 'a 32-bit value');
          lv.msgSrc ??= s;
          break;
        default:
          if (num() === undefined) return;
      }
    }
  }
  r.fact();
}
