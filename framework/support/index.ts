/** What every concern shares: coded errors, inflection, file helpers, byte ranges, `lazyModule`, suggestions. */
export { defineError, StrykeError } from './errors';
export { walkFiles, writeAtomically } from './fs';
export { parseRange, rangeApplies, type ByteRange } from './range';
export { nearest } from './suggest';
export { lazyModule } from './lazy';
export { camelize, underscore, classify, humanize, pluralize, singularize } from './inflect';
export { isLoaded, markLoaded } from './loaded';
export { registerAppModules, requireAppFile, type ModuleTable } from './app-modules';
export { fastifyRequire, FASTIFY_DEPENDENCIES, type FastifyDependency } from './fastify-deps';
