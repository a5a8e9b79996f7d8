// The kernel versions at which placement rules changed (docs/kernel-placement.md, with sources), as
// switches for one simulation. No `kernel` statement: the newest mainline behaviour.

import type { Model } from '../model';

export interface SimEra {
  /** major * 1000 + minor; Infinity without a `kernel` statement */
  v: number;
  /** the managed interrupt's CPU: 4.15-4.19 the first of the mask, 4.20 the most available, 5.0+ fewest managed allocations, ties last */
  managedCpu: 'first' | 'most-available' | 'fewest-managed-last';
  /** 5.10+ (190113b4c653): node ∩ affinity, affinity, node, all; before: node ∩ affinity, node, affinity, all, then a move back at startup */
  affinityBeforeNode: boolean;
  /** 6.7+ (a0b0bad10587): lapic_can_unplug_cpu() counts non-managed vectors only */
  unplugExcludesManaged: boolean;
  /** 6.10+ (88d724e2301a): a migration that fails with -ENOSPC is retried with every online CPU */
  hotplugRetryOnline: boolean;
  /** ITS target CPU: before 5.8 the first CPU; 5.8+ least loaded per kind; 5.19+ managed LPIs parked over every online CPU */
  its: 'first' | 'balanced' | 'balanced-park-online';
  /** AMD-Vi entries per device table: 256 before 5.10 (73db2fc595f3), 512 after */
  amdEntries: number;
  /** 6.15+ (19e5cc156cbc): with the 2K table the address has the destination-mode bit (0xfee00004) */
  amd2kAddress: boolean;
  /** the flat (logical) APIC driver exists (removed in 6.12, 838ba7733e4e) */
  flat: boolean;
  /** 5.15+ (88ffe2d0a55a): "IRQ %u: no longer affine to CPU%u" is a debug message (a warning before) */
  brokenAffinityDebug: boolean;
}

export function eraOfModel(m: Model): SimEra {
  const v = m.kernel ? m.kernel.major * 1000 + m.kernel.minor : Infinity;
  return {
    v,
    managedCpu: v >= 5000 ? 'fewest-managed-last' : v >= 4020 ? 'most-available' : 'first',
    affinityBeforeNode: v >= 5010,
    unplugExcludesManaged: v >= 6007,
    hotplugRetryOnline: v >= 6010,
    its: v >= 5019 ? 'balanced-park-online' : v >= 5008 ? 'balanced' : 'first',
    amdEntries: v >= 5010 ? 512 : 256,
    amd2kAddress: v >= 6015,
    flat: v < 6012,
    brokenAffinityDebug: v >= 5015,
  };
}

/** `5.10` for messages. */
export function eraText(e: SimEra): string {
  return e.v === Infinity
    ? 'the newest kernel (no `kernel` given)'
    : `kernel ${Math.floor(e.v / 1000)}.${e.v % 1000}`;
}
