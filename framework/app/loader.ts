import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Constructor } from '../registry';
import { requireAppFile, walkFiles } from '../support';
import { AppErrors } from './errors';

/** The folder the app's TypeScript compiles into (`<root>/build`). */
export function buildDirOf(root: string): string {
  return join(root, 'build');
}

export interface LoadedApp {
  files: string[];
  /** Controller classes by key: `app/controllers/api/v1/users_controller.ts` -> `api/v1/users`. */
  controllers: Map<string, Constructor>;
  /** Channel classes by key: `app/channels/chat_channel.ts` -> `chat`. */
  channels: Map<string, Constructor>;
}

function requireFile(root: string, file: string): any {
  try {
    return requireAppFile(file);
  } catch (err) {
    throw AppErrors.LOAD_FAILED(relative(root, file), (err as Error).stack ?? String(err));
  }
}

/**
 * Requires every compiled module under `build/app` (controllers, models, services...), in a stable
 * order, so their decorators record into the registry. Runs once per process.
 */
export function loadAppCode(root: string, build = buildDirOf(root)): LoadedApp {
  const appDir = join(build, 'app');
  const controllers = new Map<string, Constructor>();
  if (!existsSync(appDir)) {
    if (walkFiles(join(root, 'app'), (n) => n.endsWith('.ts')).length > 0) throw AppErrors.NOT_COMPILED(root);
    return { files: [], controllers, channels: new Map() };
  }
  const files = walkFiles(appDir, (n) => n.endsWith('.js'));
  const controllerDir = join(appDir, 'controllers') + sep;
  const channelDir = join(appDir, 'channels') + sep;
  const channels = new Map<string, Constructor>();
  for (const file of files) {
    const mod = requireFile(root, file);
    if (file.startsWith(channelDir) && file.endsWith('_channel.js')) {
      const key = relative(channelDir, file).split(sep).join('/').replace(/_channel\.js$/, '');
      const exported = Object.values(mod ?? {}).filter((v): v is Constructor => typeof v === 'function' && /Channel$/.test(v.name));
      const cls = mod?.default && typeof mod.default === 'function' ? mod.default : exported[exported.length - 1];
      if (cls) channels.set(key, cls);
      continue;
    }
    if (!file.startsWith(controllerDir) || !file.endsWith('_controller.js')) continue;
    const key = relative(controllerDir, file).split(sep).join('/').replace(/_controller\.js$/, '');
    const exported = Object.values(mod ?? {}).filter((v): v is Constructor => typeof v === 'function' && /Controller$/.test(v.name));
    const cls = mod?.default && typeof mod.default === 'function' ? mod.default : exported[exported.length - 1];
    if (cls) controllers.set(key, cls);
  }
  return { files, controllers, channels };
}

/** The default export of a compiled `config/<name>.js`, or undefined when the app has none. */
export function loadConfigModule(root: string, build: string, name: string): unknown {
  const file = join(build, 'config', `${name}.js`);
  if (!existsSync(file)) return undefined;
  const mod = requireFile(root, file);
  return mod?.default ?? mod;
}
