import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigErrors } from './errors';
import { CredentialsErrors, loadCredentials } from '../credentials';

// smol-toml ships a CommonJS build; its typings are ESM-only, so take the types and require the CJS.
const { parse } = require('smol-toml') as typeof import('smol-toml', { with: { 'resolution-mode': 'import' } });

export type ConfigTree = { [key: string]: any };
export const ENVIRONMENTS = ['development', 'test', 'production'] as const;

/** The environment this process runs in: STRYKE_ENV, then NODE_ENV, then development. */
export function currentEnv(): string {
  return process.env.STRYKE_ENV || process.env.NODE_ENV || 'development';
}

/** `${credentials:aws.secret}`: a value of config/credentials.toml.enc (undefined: the file could not be read, no key). */
function credential(credentials: ConfigTree | undefined, file: string, path: string): string {
  let node: any = credentials;
  for (const k of path.split('.')) node = node && typeof node === 'object' ? node[k] : undefined;
  if (node === undefined || node === null || typeof node === 'object') {
    const why = credentials === undefined ? ' (it cannot be read: no master key, set STRYKE_MASTER_KEY or config/master.key)' : node && typeof node === 'object' ? ' as a single value (it is a table)' : '';
    throw CredentialsErrors.MISSING_VALUE(file, path, why);
  }
  return String(node);
}

/** Replaces `${NAME}`, `${NAME:-default}` and `${credentials:key.path}` in every string value, in one pass. */
function interpolate(value: any, file: string, env: NodeJS.ProcessEnv, credentials?: ConfigTree): any {
  if (typeof value === 'string') {
    return value.replace(/\$\{credentials:([A-Za-z0-9_.-]+)\}|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, path?: string, name?: string, fallback?: string) => {
      if (path !== undefined) return credential(credentials, file, path);
      const v = env[name!];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      throw ConfigErrors.MISSING_ENV(file, name, name);
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, file, env, credentials));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: ConfigTree = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, file, env, credentials);
    return out;
  }
  return value;
}

function isTable(v: unknown): v is ConfigTree {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function deepMerge(base: ConfigTree, over: ConfigTree): ConfigTree {
  const out: ConfigTree = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isTable(v) && isTable(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

/**
 * Folds per-environment tables into their parent: `[database]` plus `[database.production]` gives the
 * production view of `database`. Other environments' tables are dropped.
 */
function selectEnv(tree: ConfigTree, env: string): ConfigTree {
  let out: ConfigTree = {};
  for (const [k, v] of Object.entries(tree)) {
    if ((ENVIRONMENTS as readonly string[]).includes(k) || k === env) continue;
    out[k] = isTable(v) ? selectEnv(v, env) : v;
  }
  if (isTable(tree[env])) out = deepMerge(out, selectEnv(tree[env], env));
  return out;
}

/**
 * Environment variables override config: `STRYKE_<FILE>__<KEY>[__<KEY>...]`, e.g.
 * `STRYKE_SERVER__PORT=4000` sets `server.port`. Values are parsed as TOML scalars when they look like one.
 */
function applyEnvOverrides(config: ConfigTree, env: NodeJS.ProcessEnv): void {
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('STRYKE_') || !name.includes('__') || raw === undefined) continue;
    const path = name.slice(7).toLowerCase().split('__');
    let node = config;
    for (const key of path.slice(0, -1)) node = isTable(node[key]) ? node[key] : (node[key] = {});
    node[path[path.length - 1]!] = scalar(raw);
  }
}

function scalar(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

/**
 * Loads every `config/*.toml` of an app into one tree keyed by file name (`config/database.toml` ->
 * `config.database`), for one environment. A file may also nest its keys under its own name
 * (`[database.production]` in database.toml): both forms mean the same.
 */
export function loadConfig(root: string, env = currentEnv(), vars: NodeJS.ProcessEnv = process.env): ConfigTree {
  const dir = join(root, 'config');
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.toml')).sort();
  } catch {
    /* an app without config/ runs on defaults */
  }
  const config: ConfigTree = {};
  // config/credentials.toml.enc, decrypted (a wrong key or a changed file fails here, naming the file).
  const loaded = loadCredentials(root, env, vars);
  const credentials = loaded && selectEnv(loaded, env);
  for (const file of files) {
    const name = file.slice(0, -5);
    let tree: ConfigTree;
    try {
      tree = parse(readFileSync(join(dir, file), 'utf8')) as ConfigTree;
    } catch (err) {
      throw ConfigErrors.PARSE(file, (err as Error).message.split('\n')[0]);
    }
    if (Object.keys(tree).length === 1 && isTable(tree[name])) tree = tree[name];
    config[name] = interpolate(selectEnv(tree, env), file, vars, credentials);
  }
  // `config.credentials.*`: per-environment tables fold as in the other files ([production] secret_key_base).
  config.credentials = credentials ?? {};
  applyEnvOverrides(config, vars);
  config.env = env;
  return config;
}

/**
 * Where a server listens unless `host` or `--host` says otherwise: this machine only in development and
 * test (as Rails does: a development server shows details no one else should see), every interface otherwise.
 */
export function defaultHost(env: string): string {
  return env === 'development' || env === 'test' ? '127.0.0.1' : '0.0.0.0';
}
