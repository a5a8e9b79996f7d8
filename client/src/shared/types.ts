// The payload types the client uses, re-exported from the protocol (types only: nothing of the server's
// code reaches the client or the webview bundle).
export type {
  Diagram,
  DiagramEdge,
  DiagramNode,
  DomainTree,
  DomainTreeNode,
  DeviceRoutes,
  Hop,
  MsiMessage,
  Problem,
  ProblemCounts,
  RouteInfo,
  Routes,
  ShowRouteArgs,
  CpuUsage,
  Usage,
} from '../../../server/src/protocol';
export type { Range, Position } from '../../../server/src/core/syntax/ast';
