// The semantic model (see ./types.ts for its shapes and ./queries.ts for the questions every
// layer asks of it).

export * from './types';
export * from './queries';
export { buildModel, emptyModel, parse, type BuildOptions } from './bind';
export { resolveInclude } from './includes';
export { MAX_CPUS, MAX_IRQS, MAX_INCLUDE_DEPTH } from './limits';
export * from './views';
export * from './refs';
