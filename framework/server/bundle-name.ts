/** Written by `stryke build` into dist/: `stryke start` runs its workers from it (its own module: the primary asks without loading esbuild). */
export const SERVER_BUNDLE = 'server.js';
