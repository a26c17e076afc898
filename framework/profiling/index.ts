/** CPU profiling: `stryke prof` and the flame graph it writes (docs/cli.md, "Profiling"). */
export { profileApp, checkPath, type ProfileOptions, type ProfileResult } from './run';
export { flameGraphHtml, flameGraphSvg, frameTree, type CpuProfile, type FlameGraphOptions } from './flamegraph';
export { burst, type BurstResult } from './drive';
export { ProfErrors } from './errors';
