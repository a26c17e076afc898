import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { walkFiles } from '../support/fs';
import { AppErrors } from './errors';

/** The folder the app's TypeScript compiles into (`<root>/build`). */
export function buildDirOf(root: string): string {
  return join(root, 'build');
}

/**
 * Requires every compiled module under `build/app` (controllers, models, services...), in a stable
 * order, so their decorators record into the registry. Runs once per process.
 */
export function loadAppCode(root: string, build = buildDirOf(root)): string[] {
  const appDir = join(build, 'app');
  if (!existsSync(appDir)) {
    if (walkFiles(join(root, 'app'), (n) => n.endsWith('.ts')).length > 0) throw AppErrors.NOT_COMPILED(root);
    return [];
  }
  const files = walkFiles(appDir, (n) => n.endsWith('.js'));
  for (const file of files) {
    try {
      require(file);
    } catch (err) {
      throw AppErrors.LOAD_FAILED(relative(root, file), (err as Error).stack ?? String(err));
    }
  }
  return files;
}
