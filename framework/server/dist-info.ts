import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Written last into dist/: its presence marks a complete build (`stryke start` runs from it). */
export const BUILD_INFO_FILE = 'stryke-build.json';

/** Whether `dir` holds a complete `stryke build`. Its own module: `stryke start`'s primary asks it without loading the build's code. */
export function isDist(dir: string): boolean {
  return existsSync(join(dir, BUILD_INFO_FILE));
}
