import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { underscore } from '../support';

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * The version (YYYYMMDDHHMMSS, UTC) for a new migration named `fileName`: the version of an existing
 * migration of that name, so running a generator again compares against it rather than adding a
 * second copy; otherwise now, bumped a second at a time past any version already taken.
 */
export function migrationVersion(root: string, fileName: string, now = new Date()): string {
  const dir = join(root, 'db', 'migrations');
  const files = existsSync(dir) ? readdirSync(dir) : [];
  for (const f of files) {
    const m = /^(\d{14})_(\w+)\.ts$/.exec(f);
    if (m && m[2] === fileName) return m[1]!;
  }
  const taken = new Set(files.map((f) => f.slice(0, 14)));
  let t = Math.floor(now.getTime() / 1000) * 1000;
  while (taken.has(stamp(new Date(t)))) t += 1000;
  return stamp(new Date(t));
}

export type MigrationKind =
  | { kind: 'create'; table: string }
  | { kind: 'add'; table: string }
  | { kind: 'remove'; table: string }
  | { kind: 'other' };

/** What a migration's name asks for: `CreateProducts`, `AddPriceToProducts`, `RemovePriceFromProducts`, or anything else. */
export function migrationKind(name: string): MigrationKind {
  const words = underscore(name);
  let m = /^create_(\w+)$/.exec(words);
  if (m) return { kind: 'create', table: m[1]! };
  m = /^add_\w+_to_(\w+)$/.exec(words);
  if (m) return { kind: 'add', table: m[1]! };
  m = /^remove_\w+_from_(\w+)$/.exec(words);
  if (m) return { kind: 'remove', table: m[1]! };
  return { kind: 'other' };
}
