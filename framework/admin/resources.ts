import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { registry, type AssociationDecl, type FieldDecl, type ModelDecl } from '../registry';
import { foreignKeyOf } from '../orm';
import { requireAppFile } from '../support';
import { AdminErrors } from './errors';

/** How one model's admin differs from the default (`app/admin/<table>.ts`, `export default defineAdmin({...})`). */
export interface AdminOptions {
  /** The index columns (properties), in order. Default: up to six non-long fields. */
  columns?: string[];
  /** String/text properties the search box matches (case-insensitive substring). Default: every string field. */
  search?: string[];
  /** Properties offered as filters. Default: booleans, enums, dates and belongsTo keys. */
  filters?: string[];
  /** The index's default sort: a property and direction. Default: the primary key, newest first. */
  sort?: [string, 'asc' | 'desc'];
  /** Rows per page (default 25, at most 200). */
  perPage?: number;
  /** Properties shown but never assigned from the form. */
  readonly?: string[];
  /** Leave this model out of the admin. */
  hidden?: boolean;
}

/** Declares one model's admin customisation (a typed identity). */
export function defineAdmin(options: AdminOptions): AdminOptions {
  return options;
}

export interface AdminField {
  property: string;
  decl: FieldDecl;
  label: string;
  /** belongsTo whose foreign key this field is. */
  belongsTo?: { association: AssociationDecl; target: () => AdminResource | undefined };
}

export interface AdminResource {
  slug: string;
  model: any;
  decl: ModelDecl;
  label: string;
  singular: string;
  pk: FieldDecl;
  /** Every field shown (sensitive ones, such as password digests, never are). */
  fields: AdminField[];
  /** Fields a form may assign: declared, not the primary key, timestamps, soft-delete marker, sensitive or read-only. */
  editable: AdminField[];
  columns: AdminField[];
  search: AdminField[];
  filters: AdminField[];
  sortable: Set<string>;
  sort: [string, 'asc' | 'desc'];
  perPage: number;
  hasMany: { association: AssociationDecl; foreignKey: string; target: () => AdminResource | undefined }[];
  attachments: { name: string; kind: 'one' | 'many' }[];
}

export function humanize(s: string): string {
  const words = s.replace(/Id$/, '').replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const LONG: FieldDecl['type'][] = ['text', 'json'];

/**
 * The admin's view of the app's models, built once from the model registry (fields, validations,
 * associations, attachments) and the customisations in `<app>/app/admin/*.js`.
 */
export function buildResources(appDir: string): Map<string, AdminResource> {
  const decls = registry.within(registry.models, appDir).filter((d) => d.table && d.fields.some((f) => f.primary)).sort((a, b) => (a.table < b.table ? -1 : 1));
  const custom = loadCustomisations(join(appDir, 'admin'));
  const bySlug = new Map<string, AdminResource>();
  const byModel = new Map<Function, AdminResource>();
  const find = (a: AssociationDecl) => () => byModel.get(a.target());
  for (const decl of decls) {
    const opts = custom.get(decl.table) ?? {};
    custom.delete(decl.table);
    if (opts.hidden) continue;
    const belongs = decl.associations.filter((a) => a.kind === 'belongsTo');
    const fields: AdminField[] = decl.fields.filter((f) => !f.sensitive).map((f) => {
      const a = belongs.find((b) => foreignKeyOf(decl.target, b) === f.property);
      return { property: f.property, decl: f, label: humanize(f.property), ...(a ? { belongsTo: { association: a, target: find(a) } } : {}) };
    });
    const byProp = new Map(fields.map((f) => [f.property, f]));
    const pick = (names: string[] | undefined, what: string, fallback: AdminField[], ok: (f: AdminField) => boolean = () => true) => {
      if (!names) return fallback;
      return names.map((n) => {
        const f = byProp.get(n);
        if (!f || !ok(f)) throw AdminErrors.BAD_CUSTOMISATION(`${decl.table}.ts`, `${what} "${n}" is not a ${what === 'search field' ? 'string or text field' : 'field'} of ${decl.target.name} (its fields: ${fields.map((x) => x.property).join(', ')})`);
        return f;
      });
    };
    const readonly = new Set(opts.readonly ?? []);
    const editable = fields.filter((f) => !f.decl.primary && !f.decl.timestamp && !f.decl.softDelete && !readonly.has(f.property));
    const textual = (f: AdminField) => f.decl.type === 'string' || f.decl.type === 'text';
    const filterable = (f: AdminField) => !!f.belongsTo || ['boolean', 'enum', 'date', 'datetime', 'string'].includes(f.decl.type);
    const pk = decl.fields.find((f) => f.primary)!;
    const sort = opts.sort ?? [pk.property, 'desc'];
    if (!byProp.has(sort[0])) throw AdminErrors.BAD_CUSTOMISATION(`${decl.table}.ts`, `sort "${sort[0]}" is not a field of ${decl.target.name}`);
    const resource: AdminResource = {
      slug: decl.table,
      model: decl.target,
      decl,
      label: humanize(decl.table),
      singular: humanize(decl.target.name),
      pk,
      fields,
      editable,
      columns: pick(opts.columns, 'column', fields.filter((f) => !LONG.includes(f.decl.type)).slice(0, 6)),
      search: pick(opts.search, 'search field', fields.filter((f) => f.decl.type === 'string'), textual),
      filters: pick(opts.filters, 'filter', fields.filter((f) => !!f.belongsTo || ['boolean', 'enum', 'date', 'datetime'].includes(f.decl.type)), filterable),
      sortable: new Set(fields.filter((f) => !LONG.includes(f.decl.type)).map((f) => f.property)),
      sort,
      perPage: Math.min(Math.max(1, opts.perPage ?? 25), 200),
      hasMany: decl.associations.filter((a) => a.kind === 'hasMany' && !a.through).map((a) => ({ association: a, foreignKey: foreignKeyOf(decl.target, a), target: find(a) })),
      attachments: decl.attachments ?? [],
    };
    bySlug.set(resource.slug, resource);
    byModel.set(decl.target, resource);
  }
  for (const name of custom.keys()) throw AdminErrors.BAD_CUSTOMISATION(`${name}.ts`, `no model has the table "${name}": name the file after a table (${[...bySlug.keys()].join(', ')})`);
  return bySlug;
}

function loadCustomisations(dir: string): Map<string, AdminOptions> {
  const out = new Map<string, AdminOptions>();
  if (!existsSync(dir)) return out;
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.js')) continue;
    const mod = requireAppFile(join(dir, file));
    const opts = mod.default ?? mod.admin;
    if (!opts || typeof opts !== 'object') throw AdminErrors.BAD_CUSTOMISATION(basename(file, '.js') + '.ts', 'export default defineAdmin({ ... })');
    out.set(basename(file, '.js'), opts);
  }
  return out;
}

/** The compiled app folder (`<build>/app`) of a controller declared in `<build>/app/controllers/...`. */
export function appDirOf(controllerSource: string): string {
  let dir = dirname(controllerSource.replace(/:\d+(:\d+)?$/, ''));
  while (basename(dir) !== 'app' && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
