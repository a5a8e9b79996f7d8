// The route model: what the simulation computes, as plain data. It feeds the CLI's `routes`,
// hovers, inlay hints, the tree views and the diagram. (Contract shared by the simulator, the
// language server and the client: extend it, don't rename fields.)

import type { Finding } from '../diagnostics';
import type { Model } from '../model';
import type { Range } from '../syntax/ast';
import type { Placement } from './placement';
import type { InjectOutcome } from './evaluate';
import type { OfflineStep } from './hotplug';

export interface MsiMessage {
  address_hi: number;
  address_lo: number;
  data: number;
}

/** One level of the walk from the endpoint domain to the root. */
export interface Hop {
  /** the domain's name, e.g. `IR-PCI-MSIX-0000:03:00.0`, `INTEL-IR-0`, `VECTOR` */
  domain: string;
  /** the hwirq at this level (MSI-X index, IMS slot, IRTE index, pin, event ID, vector...) */
  hwirq: number | null;
  /** the resource taken at this level, for people: `MSI-X entry 1`, `IRTE 17`, `CPU 3 vector 0x24` */
  resource: string;
}

export interface Route {
  /** `nvme0.q[1]` */
  irq: string;
  device: string;
  uri: string;
  /** the `irq` statement */
  range: Range;
  cpu: number | null;
  vector: number | null;
  lpi: number | null;
  /** the IRTE index (Intel handle + subhandle) or AMD per-device table index; null when not remapped */
  irte: number | null;
  /** ITS event ID (arm64) */
  event: number | null;
  /** the domains walked, endpoint first, root last */
  path: string[];
  hops: Hop[];
  message: MsiMessage | null;
  managed: boolean;
  /** Intel remapping: the handle (first IRTE of the block) and the subhandle (index inside a multi-MSI block) */
  handle?: number;
  subhandle?: number;
  /** an IO-APIC pin shared with an earlier interrupt (same Linux irq, another action): that interrupt's id */
  sharedWith?: string;
  /** set when allocation failed at some level: the RULES.md code and why */
  failure: { code: string; message: string } | null;
  /** the interrupt's index (allocation order) */
  k: number;
  /** the effective affinity mask the interrupt was given (its `affinity`, its spread mask, or every online CPU) */
  mask: number[] | null;
  /** the device's NUMA node, when known */
  node: number | null;
  /** which values are observations (pins) rather than simulated */
  observed: ('cpu' | 'vector' | 'irte' | 'lpi')[];
  /** what an `offline` did to it: moved to another CPU, shut down (managed), or stuck on the offline CPU */
  offline?: 'moved' | 'shut-down' | 'stuck';
  /** it was placed outside its affinity (vector space exhaustion, or an `offline` left none of it online) */
  affinityBroken: boolean;
}

export interface CpuUsage {
  cpu: number;
  apic_id: number;
  /** false once an `offline` took it down */
  online: boolean;
  /** vectors allocated (incl. in-use and pinned), not counting system vectors */
  used: number;
  /** free external vectors (capacity - managed reservations - allocations), as the matrix's avl */
  available: number;
  /** managed reservations (man) and managed allocations (mac) */
  managed: number;
  managed_allocated: number;
  /** the allocated vectors */
  vectors: number[];
  /** the CPU's NUMA node (a `node` statement), or null when the file declares no node */
  node: number | null;
  /** vectors taken by the root's `in-use` (interrupts the file does not describe), counted in `used` */
  in_use: number;
  /** the external vectors of the CPU's window (the era's, less the system vectors); 0 off x86 */
  capacity: number;
}
// (arm64: `used` counts the LPIs targeting the CPU and `available` is 0; riscv: IMSIC identities.)

export interface DomainUsage {
  name: string;
  /** what the domain hands out: `IRTE`, `MSI-X entry`, `IMS slot`, `event ID`, `vector`, `pin`... */
  resource: string;
  used: number;
  /** capacity, or null when unbounded/unknown */
  size: number | null;
}

export interface InjectResult {
  uri: string;
  range: Range;
  irq: string | null;
  cpu: number | null;
  vector: number | null;
  lpi: number | null;
  /** why nothing fires, when irq is null */
  reason: string | null;
}

export interface Simulation {
  readonly model: Model;
  /** the result columns, one row per interrupt */
  readonly placement: Placement;
  /** the route of interrupt k, made on demand (undefined for an interrupt declared twice: not allocated) */
  route(k: number): Route | undefined;
  /** every route, in allocation order (made on demand, once) */
  readonly routes: Route[];
  /** resolves a memory write by a device (device index) as the hardware would */
  inject(device: number, address: number, data: number): InjectOutcome;
  /** forgets the routes made so far and makes the inject results' ranges anew (after offsets moved) */
  refresh(): void;
  /** the routes as allocated, before the first `offline` (undefined when the file has none) */
  routesBeforeOffline(): Route[] | undefined;
  /** what each CPU of each `offline` statement did, in the order replayed */
  readonly offlineSteps: readonly OfflineStep[];
  /** routes by interrupt name (made on demand, once) */
  readonly routesById: Map<string, Route>;
  readonly cpus: CpuUsage[];
  readonly domains: DomainUsage[];
  injects: InjectResult[];
  /** the Resources findings (and expect/inject results), with RULES.md codes */
  findings: Finding[];
}
