// The machine as the kernel's spreading sees it (possible and present CPUs, NUMA nodes, SMT
// siblings), and the managed masks of `spread` ranges: irq_create_affinity_masks() ->
// group_cpus_evenly() (../machine/spread.ts, per kernel era).

import { checkSpreadMachine, spreadAffinity, type SpreadMachine } from '../machine/spread';
import type { BindContext } from './context';
import { GroupFlag, type Model } from './types';

/** The SMT siblings of a CPU (itself included, ascending) from `smt N [adjacent]`; none given: itself. */
export function siblingsOf(m: Model): (cpu: number) => number[] {
  const smt = m.smt;
  const possible = m.possibleCpus;
  if (!smt || smt.threads <= 1) return (cpu) => [cpu];
  const n = smt.threads;
  const total = possible.length ? possible[possible.length - 1] + 1 : 0;
  if (smt.adjacent) {
    return (cpu) => {
      const base = cpu - (cpu % n);
      const out: number[] = [];
      for (let k = 0; k < n; k++) if (base + k < total) out.push(base + k);
      return out;
    };
  }
  const c = Math.max(1, Math.floor(total / n));
  return (cpu) => {
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      const x = (cpu % c) + k * c;
      if (x < total) out.push(x);
    }
    return out.sort((a, b) => a - b);
  };
}

export function spreadMachine(m: Model): SpreadMachine {
  return {
    possible: m.possibleCpus,
    present: m.cpus,
    nodes: m.nodes.map((n) => ({ id: n.id, cpus: n.cpus })),
    siblings: siblingsOf(m),
    kernel: m.kernel ? { major: m.kernel.major, minor: m.kernel.minor } : undefined,
    arch: m.arch,
  };
}

/**
 * The mask of every element of every `spread` range, as the kernel computes it for a batch of
 * that many vectors (no pre/post vectors). Interned like affinity masks; an element the kernel
 * leaves empty gets -3 (its allocation fails with -EINVAL).
 */
export function bindSpread(ctx: BindContext, internMask: (cpus: number[]) => number): void {
  const m = ctx.m;
  const G = m.groups;
  let machine: SpreadMachine | undefined;
  for (let g = 0; g < G.count; g++) {
    if (!(G.flags[g] & GroupFlag.Spread)) continue;
    const file = m.files[G.file[g]];
    const t = file.tree;
    const s = G.stmt[g];
    if (!machine) {
      machine = spreadMachine(m);
      const bad = m.cpus.length ? checkSpreadMachine(machine) : 'there are no CPUs';
      if (bad) {
        ctx.report(
          'bad-value',
          file,
          t.sStart[s],
          t.sEnd[s],
          `spread: the machine cannot be spread over: ${bad}`,
        );
        return;
      }
    }
    if (G.affinity[g] >= 0) {
      ctx.report(
        'bad-value',
        file,
        t.sStart[s],
        t.sEnd[s],
        "spread computes each element's mask (irq_create_affinity_masks): drop `affinity`, or drop `spread` and write `managed`",
      );
      continue;
    }
    const r = spreadAffinity(G.size[g], machine);
    if (r.fault)
      ctx.report(
        'bad-value',
        file,
        t.sStart[s],
        t.sEnd[s],
        `spread: on ${m.kernel?.text ?? 'this kernel'} the kernel would not finish the spreading: ${r.fault}`,
      );
    const ids = new Int32Array(G.size[g]);
    for (let i = 0; i < ids.length; i++) ids[i] = r.source[i] === 'empty' ? -3 : internMask(r.masks[i]);
    m.elementMasks.set(g, ids);
  }
}
