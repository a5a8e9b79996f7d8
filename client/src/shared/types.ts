// The payload types the client uses, from the protocol (types only: nothing of the server's code reaches
// the client or the webview bundle), widened by the optional fields the client reads when the server
// sends them. Until then the client degrades: every extra below is optional and checked before use.
import type * as P from '../../../server/src/protocol';

export type {
  DiagramEdge,
  DiagramNode,
  DomainTree,
  DomainTreeNode,
  Hop,
  MsiMessage,
  Problem,
  ProblemCounts,
  ShowRouteArgs,
  Usage,
} from '../../../server/src/protocol';
export type { Range, Position } from '../../../server/src/core/syntax/ast';

/** Per-CPU fields the server may add (the x86 matrix and the machine's topology). */
export interface CpuExtras {
  /** the CPU's NUMA node (from the topology), when known */
  node?: number | null;
  /** vectors taken by the root's `in-use` (imported from a live machine), counted in `used` */
  in_use?: number;
  /** the external vectors of the CPU's window (used + reserved-unallocated + available) */
  capacity?: number;
}
export type CpuUsage = P.CpuUsage & CpuExtras;

/** Per-interrupt fields the server may add. */
export interface RouteExtras {
  /** the interrupt's affinity had no free vector: it was placed outside it (`affinity-broken`) */
  affinityBroken?: boolean;
}
export type RouteInfo = P.RouteInfo & RouteExtras;

export interface DeviceRoutes extends Omit<P.DeviceRoutes, 'irqs'> {
  irqs: RouteInfo[];
}
export interface Routes extends Omit<P.Routes, 'devices'> {
  devices: DeviceRoutes[];
}
export interface Diagram extends Omit<P.Diagram, 'cpus'> {
  cpus: CpuUsage[];
}
