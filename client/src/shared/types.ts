// The payload types the client uses, from the protocol (types only: nothing of the server's code reaches
// the client or the webview bundle).
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
  VerifyColumn,
  VerifyDifferenceAt,
  VerifyPayload,
} from '../../../server/src/protocol';
export type { Range, Position } from '../../../server/src/core/syntax/ast';

/** Per CPU: the matrix's counts, its node, in-use vectors and capacity (the server sends them all). */
export type CpuUsage = P.CpuUsage;

/** Per interrupt: the route fields that cross the wire, incl. mask, node, observed columns and broken affinity. */
export type RouteInfo = P.RouteInfo;

export interface DeviceRoutes extends Omit<P.DeviceRoutes, 'irqs'> {
  irqs: RouteInfo[];
}
export interface Routes extends Omit<P.Routes, 'devices'> {
  devices: DeviceRoutes[];
}
export interface Diagram extends Omit<P.Diagram, 'cpus'> {
  cpus: CpuUsage[];
}
