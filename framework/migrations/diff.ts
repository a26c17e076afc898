import { TableColumn } from 'typeorm/schema-builder/table/TableColumn';
import type { Adapter } from '../orm';
import type { FieldDecl, ModelDecl } from '../registry';
import { MigrationErrors } from './errors';
import { portableDefault, portableType, type DumpColumn, type DumpTable } from './schema-dump';
import { columnOptions } from './table';
import type { ColumnOptions, ColumnType } from './types';

/** One step of the migration `stryke db diff` writes: its lines of `change(m)`. */
export interface DiffStep {
  lines: string[];
  /** Why the step can lose data, when it can. */
  destructive?: string;
  /** Something the reader should check (a rename detected by its type). */
  note?: string;
}

export interface DiffOptions {
  /** Declared renames: `posts.title` -> `headline` (a column) or `articles` -> `posts` (a table). */
  renames?: Record<string, string>;
  /** Columns (`posts.views`) and tables declared new: never taken as a rename. */
  fresh?: string[];
}

const lit = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const value = (v: unknown): string => (typeof v === 'string' ? lit(v) : JSON.stringify(v));

/** What the model declares for a column, in the terms the database would report it in. */
function desiredColumn(adapter: Adapter, model: ModelDecl, f: FieldDecl): DumpColumn & { declaredNull: boolean } {
  const present = model.validations.some((v) => v.property === f.property && v.rules.presence === true);
  const o: ColumnOptions = {
    null: f.primary ? false : f.nullable && !present,
    default: typeof f.default === 'function' || (typeof f.default === 'object' && f.default !== null) ? undefined : f.default,
  };
  if (f.type === 'string' && f.limit) o.limit = f.limit;
  if (f.type === 'decimal') Object.assign(o, { precision: f.precision ?? 10, scale: f.scale ?? 0 });
  if (f.type === 'enum') o.values = (f.values ?? []).map(String);
  const col = new TableColumn(columnOptions(adapter, model.table, f.column, f.type as ColumnType, o));
  const type = portableType(adapter, col);
  const out: DumpColumn & { declaredNull: boolean } = { name: f.column, ...type, null: o.null!, declaredNull: !f.nullable || present };
  const def = portableDefault(type.type, col.default);
  if (def !== undefined) out.default = def;
  if (f.primary) Object.assign(out, { primary: true, ...(type.type === 'integer' || type.type === 'bigint' ? { autoIncrement: true } : {}) });
  return out;
}

/** `'title', 'string', { limit: 200, null: false }` as the DSL takes a column. */
function columnArgs(c: DumpColumn): { type: string; options: string } {
  const o: string[] = [];
  if (c.type === 'string' && c.limit !== undefined && c.limit !== 255) o.push(`limit: ${c.limit}`);
  if (c.type === 'decimal') o.push(`precision: ${c.precision}`, `scale: ${c.scale}`);
  if (c.type === 'enum') o.push(`values: [${(c.values ?? []).map(lit).join(', ')}]`);
  if (!c.null) o.push('null: false');
  if (c.default !== undefined) o.push(`default: ${value(c.default)}`);
  if (c.unique) o.push('unique: true');
  return { type: c.type === 'native' ? 'string' : c.type, options: o.length ? `{ ${o.join(', ')} }` : '' };
}

function sameShape(a: DumpColumn, b: DumpColumn): boolean {
  return a.type === b.type && a.limit === b.limit && a.precision === b.precision && a.scale === b.scale && JSON.stringify(a.values) === JSON.stringify(b.values);
}

const WIDER: Record<string, string[]> = { integer: ['bigint', 'float', 'decimal'], string: ['text'], date: ['datetime'] };

/** Why changing `from` to `to` can lose data, or undefined when it only widens the column. */
function narrowing(from: DumpColumn, to: DumpColumn): string | undefined {
  if (from.type === to.type) {
    if (to.type === 'string' && (to.limit ?? 255) < (from.limit ?? 255)) return `shortens it from ${from.limit} to ${to.limit} characters`;
    if (to.type === 'decimal' && ((to.precision ?? 10) < (from.precision ?? 10) || (to.scale ?? 0) < (from.scale ?? 0))) return 'narrows its precision or scale';
    if (to.type === 'enum' && (from.values ?? []).some((v) => !(to.values ?? []).includes(v))) return 'removes enum values';
    return undefined;
  }
  if (WIDER[from.type]?.includes(to.type)) return undefined;
  return `converts it from ${from.type} to ${to.type}; values that do not convert are lost or stop the migration`;
}

function tableBlock(name: string, cols: DumpColumn[]): string[] {
  const pk = cols.find((c) => c.primary);
  const defaultId = pk && pk.name === 'id' && pk.type === 'integer' && pk.autoIncrement;
  const lines = [`m.createTable(${lit(name)}, (t) => {`];
  for (const c of cols) {
    if (defaultId && c === pk) continue;
    const { type, options } = columnArgs(c);
    const extra = c.primary && !defaultId ? `{ primary: true${c.autoIncrement ? ', autoIncrement: true' : ''}, null: false }` : options;
    lines.push(`  t.${type}(${lit(c.name)}${extra ? `, ${extra}` : ''});`);
  }
  lines.push(defaultId || !pk ? '});' : '}, { id: false });');
  return lines;
}

/**
 * The steps that take the live schema to what the models declare: tables and columns added, changed,
 * renamed and removed. A column (or table) missing on one side and appearing, with the same type (or the
 * same columns), on the other is a rename, never a drop and an add; when it could be more than one, the
 * caller must say which with `renames`.
 */
export function diffSchema(adapter: Adapter, models: ModelDecl[], live: DumpTable[], options: DiffOptions = {}): DiffStep[] {
  const renames = options.renames ?? {};
  const fresh = new Set(options.fresh ?? []);
  const steps: DiffStep[] = [];
  const liveByName = new Map(live.map((t) => [t.name, t]));
  const wanted = new Map(models.map((m) => [m.table, { model: m, columns: m.fields.map((f) => desiredColumn(adapter, m, f)) }]));

  // Tables: declared renames, then renames detected by identical columns.
  const tableRenames = new Map<string, string>(); // live name -> model name
  for (const [from, to] of Object.entries(renames)) if (!from.includes('.') && liveByName.has(from) && wanted.has(to)) tableRenames.set(from, to);
  const missing = [...wanted.keys()].filter((n) => !liveByName.has(n) && ![...tableRenames.values()].includes(n));
  const extra = live.map((t) => t.name).filter((n) => !wanted.has(n) && !tableRenames.has(n));
  for (const name of missing.filter((n) => !fresh.has(n))) {
    const cols = wanted.get(name)!.columns.map((c) => c.name).sort().join();
    const same = extra.filter((e) => liveByName.get(e)!.columns.map((c) => c.name).sort().join() === cols);
    if (same.length === 1) {
      tableRenames.set(same[0]!, name);
      extra.splice(extra.indexOf(same[0]!), 1);
    }
  }
  for (const [from, to] of tableRenames) steps.push({ lines: [`m.renameTable(${lit(from)}, ${lit(to)});`], note: renames[from] ? undefined : `${from} has exactly the columns of ${to}: taken as a rename` });

  for (const [name, { columns }] of wanted) {
    const liveName = [...tableRenames].find(([, to]) => to === name)?.[0] ?? name;
    const current = liveByName.get(liveName);
    if (!current) {
      steps.push({ lines: tableBlock(name, columns) });
      continue;
    }
    const added = columns.filter((c) => !current.columns.some((l) => l.name === c.name));
    const removed = current.columns.filter((l) => !columns.some((c) => c.name === l.name));
    // Columns: declared renames, then detected ones (exactly one same-typed candidate each way).
    for (const a of added.filter((x) => !fresh.has(`${name}.${x.name}`))) {
      const declared = Object.entries(renames).find(([k, v]) => k.startsWith(`${name}.`) && v === a.name)?.[0].slice(name.length + 1);
      const candidates = removed.filter((r) => sameShape(r, a));
      let from = declared && removed.some((r) => r.name === declared) ? declared : undefined;
      if (!from && candidates.length === 1 && added.filter((x) => sameShape(x, candidates[0]!)).length === 1) from = candidates[0]!.name;
      else if (!from && candidates.length > 1) {
        throw MigrationErrors.DIFF_AMBIGUOUS(`${name}.${a.name}`, candidates.map((c) => `${name}.${c.name}`).join(', '), `--rename ${name}.${candidates[0]!.name}:${a.name}`, `${name}.${a.name}`);
      }
      if (!from) continue;
      steps.push({ lines: [`m.renameColumn(${lit(name)}, ${lit(from)}, ${lit(a.name)});`], note: declared ? undefined : `${name}.${from} and ${name}.${a.name} have the same type: taken as a rename` });
      added.splice(added.indexOf(a), 1);
      removed.splice(removed.findIndex((r) => r.name === from), 1);
    }
    for (const a of added) {
      const { type, options } = columnArgs(a);
      steps.push({ lines: [`m.addColumn(${lit(name)}, ${lit(a.name)}, ${lit(type)}${options ? `, ${options}` : ''});`] });
    }
    for (const c of columns) {
      const l = current.columns.find((x) => x.name === c.name);
      if (!l || c.primary || l.type === 'native') continue;
      const target: DumpColumn = { ...l, type: c.type, limit: c.limit, precision: c.precision, scale: c.scale, values: c.values };
      if (c.declaredNull && l.null) target.null = false;
      if (c.default !== undefined) target.default = c.default;
      for (const k of Object.keys(target) as (keyof DumpColumn)[]) if (target[k] === undefined) delete target[k];
      if (JSON.stringify(target) === JSON.stringify(l)) continue;
      const to = columnArgs(target);
      const from = columnArgs(l);
      steps.push({
        lines: [`m.changeColumn(${lit(name)}, ${lit(c.name)}, ${lit(to.type)}, { ${[to.options.slice(2, -2), `from: { type: ${lit(from.type)}${from.options ? `, ${from.options.slice(2, -2)}` : ''} }`].filter(Boolean).join(', ')} });`],
        destructive: sameShape(l, target) ? undefined : narrowing(l, target) && `changes ${name}.${c.name}: ${narrowing(l, target)}`,
      });
    }
    for (const r of removed) {
      const { type, options } = columnArgs(r);
      steps.push({ lines: [`m.removeColumn(${lit(name)}, ${lit(r.name)}, ${lit(type)}${options ? `, ${options}` : ''});`], destructive: `removes column ${name}.${r.name} and its data` });
    }
  }
  for (const name of extra) {
    const t = liveByName.get(name)!;
    const block = tableBlock(name, t.columns);
    block[0] = `m.dropTable(${lit(name)}, (t) => {`;
    steps.push({ lines: block, destructive: `drops table ${name} (no model declares it) and its rows` });
  }
  return steps;
}

/** The migration file for `steps`. */
export function diffSource(className: string, steps: DiffStep[]): string {
  const body: string[] = [];
  for (const s of steps) {
    if (s.destructive) body.push(`// DESTRUCTIVE: ${s.destructive}. Rolling back restores the structure, not the data.`);
    if (s.note) body.push(`// Check: ${s.note}.`);
    body.push(...s.lines);
  }
  return `import { migration } from 'stryke';\n\n// Written by \`stryke db diff\`: the models' @Field declarations against the database.\nexport default migration('${className}', {\n  change(m) {\n${body.map((l) => `    ${l}`).join('\n')}\n  },\n});\n`;
}
