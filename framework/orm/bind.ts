import type { FieldDecl, ModelDecl } from '../registry';
import { currentEnv } from '../config';
import type { ColumnLayout, Database } from './connection';
import { OrmErrors } from './errors';
import { pgTextReader } from './pg-text';
import { nPlusOneModeFor, ormSettings } from './loading';
import { defineAssociationAccessors, defineFilteredInspect } from './accessors';
import { ORIG, ORIG_RAW, PERSISTED, type RowLayout } from './record-state';
import { META, type CallbackEntry, type ModelMeta } from './meta';
import { Relation } from './relation';
import { scopeBodies } from './scope';
import { buildJsonWriter } from './serialize';

/** Scopes declared as static properties of the model and of its base classes. */
function scopesOf(model: Function): Map<string, Function> {
  const out = new Map<string, Function>();
  for (let c: any = model; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    for (const key of Object.getOwnPropertyNames(c)) {
      const v = c[key];
      const body = typeof v === 'function' ? scopeBodies.get(v) : undefined;
      if (body && !out.has(key)) out.set(key, body);
    }
  }
  return out;
}

/**
 * The relation class of a model (`PostRelation`), to which its scopes are added as methods. It is named by a
 * generated declaration because setting `name` afterwards (`Object.defineProperty`) turns the class into a
 * dictionary-mode object: V8 then compiles every function that makes a relation (`where`, `order`, `limit`,
 * ...) on the assumption that the class's map is stable, finds at the end that it is not, throws the code
 * away and starts again, over and over. That cost the chain about half its speed (on a background thread,
 * so it showed in CPU time more than in wall time).
 */
function relationClass(model: Function): typeof Relation {
  // eslint-disable-next-line no-new-func
  return new Function('Relation', `return class ${model.name.replace(/\W/g, '')}Relation extends Relation {};`)(Relation) as typeof Relation;
}

/**
 * The row mapper of a model, generated once: a constructor with one assignment per field (the driver-to-JS
 * conversion only for the fields that need one), whose instances have the model's prototype. Built by a
 * constructor rather than `Object.create`, records get their fields in-object, in one hidden class. A
 * column missing from the row (a `select`) leaves the field unset.
 */
function buildHydrator(model: Function, fields: FieldDecl[], readers: ModelMeta['readers']): (row: Record<string, unknown>) => any {
  const lines: string[] = ['let v;'];
  fields.forEach((f, i) => {
    const col = JSON.stringify(f.column);
    const prop = JSON.stringify(f.property);
    lines.push(`v = row[${col}];`);
    lines.push(readers[i]
      ? `if (v !== undefined) this[${prop}] = v === null ? null : R[${i}](v);`
      : `if (v !== undefined) this[${prop}] = v;`);
  });
  lines.push('this[PERSISTED] = true;', 'this[ORIG] = row;', 'this[ORIG_RAW] = true;');
  // eslint-disable-next-line no-new-func
  const factory = new Function('R', 'PERSISTED', 'ORIG', 'ORIG_RAW', `return function ${model.name.replace(/\W/g, '')}Row(row) {\n${lines.join('\n')}\n};`);
  const Row = factory(readers, PERSISTED, ORIG, ORIG_RAW) as new (row: Record<string, unknown>) => any;
  Row.prototype = model.prototype;
  return (row) => new Row(row);
}

/**
 * The row mapper for rows read as arrays, generated once per result layout (`columns`, the same array for
 * every run of one statement): each field read at its column's position. SQLite's values are the driver's,
 * converted by the fields' readers; PostgreSQL's are the text the server sent, converted as the layout's
 * `text` says for each column's type. The positions and conversions are kept with the row, for dirty
 * tracking to find the values read.
 */
function buildArrayHydrator(model: Function, fields: FieldDecl[], readers: ModelMeta['readers'], columns: ColumnLayout): (row: unknown[]) => any {
  const positions = fields.map((f) => columns.lastIndexOf(f.column));
  const text = columns.text;
  const convert = text
    ? fields.map((f, i) => (positions[i]! < 0 ? null : pgTextReader(f, text.oids[positions[i]!]!, text.parsers[positions[i]!]!, readers[i] ?? null)))
    : readers;
  const lines: string[] = ['let v;'];
  fields.forEach((f, i) => {
    if (positions[i]! < 0) return;
    const prop = JSON.stringify(f.property);
    lines.push(`v = row[${positions[i]}];`);
    const c = convert[i];
    // Number (PostgreSQL's integer and float text) inline, as a unary plus: no call per value.
    lines.push(c === Number ? `this[${prop}] = v === null ? null : +v;` : c ? `this[${prop}] = v === null ? null : R[${i}](v);` : `this[${prop}] = v;`);
  });
  lines.push('this[PERSISTED] = true;', 'this[ORIG] = row;', 'this[ORIG_RAW] = L;');
  const layout: RowLayout = { at: positions, read: convert };
  // eslint-disable-next-line no-new-func
  const factory = new Function('R', 'L', 'PERSISTED', 'ORIG', 'ORIG_RAW', `return function ${model.name.replace(/\W/g, '')}ArrayRow(row) {\n${lines.join('\n')}\n};`);
  const Row = factory(convert, layout, PERSISTED, ORIG, ORIG_RAW) as new (row: unknown[]) => any;
  Row.prototype = model.prototype;
  return (row) => new Row(row);
}

function arrayHydrators(model: Function, fields: FieldDecl[], readers: ModelMeta['readers']): ModelMeta['arrayHydrator'] {
  const byLayout = new WeakMap<ColumnLayout, (row: unknown[]) => any>();
  // The layout read last is usually the one read next (`SELECT *`): it is checked before the map.
  let lastColumns: ColumnLayout | undefined;
  let lastHydrator: ((row: unknown[]) => any) | undefined;
  return (columns) => {
    if (columns === lastColumns) return lastHydrator!;
    let h = byLayout.get(columns);
    if (!h) byLayout.set(columns, (h = buildArrayHydrator(model, fields, readers, columns)));
    lastColumns = columns;
    lastHydrator = h;
    return h;
  };
}

/**
 * Binds each declared model to the app's database, once at boot: computes its metadata, builds its
 * relation class (with the model's scopes as chainable methods), its row mapper, and installs the
 * association accessors. `env` sets N+1 detection: a warning in development, an error in test, off in production.
 */
export function bindModels(decls: ModelDecl[], db: Database, options: { env?: string } = {}): ModelMeta[] {
  ormSettings.nPlusOne = nPlusOneModeFor(options.env ?? currentEnv());
  const metas = decls.map((decl) => {
    const model = decl.target;
    let fields: FieldDecl[] = decl.fields;
    if (!fields.some((f) => f.primary)) {
      fields = [{ property: 'id', column: 'id', type: 'integer', primary: true, nullable: false }, ...fields];
    }
    const pk = fields.find((f) => f.primary)!;
    const callbacks = new Map<string, string[]>();
    const callbackEntries = new Map<string, CallbackEntry[]>();
    for (const c of decl.callbacks) {
      callbacks.set(c.event, [...(callbacks.get(c.event) ?? []), c.method]);
      callbackEntries.set(c.event, [...(callbackEntries.get(c.event) ?? []), { method: c.method, ...(c.on ? { on: c.on } : {}) }]);
    }

    const ModelRelation = relationClass(model);
    for (const [name, fn] of scopesOf(model)) {
      Object.defineProperty(ModelRelation.prototype, name, {
        value(this: Relation, ...args: unknown[]) {
          return fn(this, ...args);
        },
      });
    }

    for (const a of decl.associations) {
      if (a.dependent && (a.through || a.kind === 'belongsTo')) {
        throw OrmErrors.BAD_ASSOCIATION(model.name, a.property, `dependent: '${a.dependent}' is for hasMany and hasOne without through`);
      }
    }

    const { dialect } = db;
    const readers = fields.map((f) => dialect.reader(f));
    const virtuals = new Set<string>();
    for (const v of decl.validations) if ((v.rules as { confirmation?: boolean }).confirmation) virtuals.add(`${v.property}Confirmation`);
    for (const a of decl.attachments ?? []) virtuals.add(a.name); // assigned an upload, written by framework/storage's callbacks
    for (const v of decl.virtuals ?? []) virtuals.add(v);
    const qtable = dialect.quote(decl.table);
    if (fields.some((f) => f.type === 'bigint')) db.bigintTables.add(qtable);

    const associations = new Map(decl.associations.map((a) => [a.property, a]));
    const meta: ModelMeta = {
      model, decl, db, fields, pk,
      table: decl.table,
      qtable,
      byProperty: new Map(fields.map((f) => [f.property, f])),
      byColumn: new Map(fields.map((f) => [f.column, f])),
      associations,
      callbacks,
      callbackEntries,
      hasValidations: decl.validations.length > 0 || !!decl.validators?.length,
      sqlCache: new Map(),
      relationClass: ModelRelation,
      readers,
      hydrate: buildHydrator(model, fields, readers),
      arrayHydrator: arrayHydrators(model, fields, readers),
      findSql: `SELECT * FROM ${qtable} WHERE ${dialect.quote(pk.column)} = ${dialect.placeholder(1)} LIMIT 1`,
      softDelete: fields.find((f) => f.softDelete),
      strictLoading: !!decl.strictLoading,
      virtuals,
      saveNeedsTransaction: ['beforeSave', 'beforeCreate', 'beforeUpdate', 'afterCreate', 'afterUpdate', 'afterSave'].some((e) => callbacks.has(e)),
      destroyNeedsTransaction: callbacks.has('beforeDestroy') || callbacks.has('afterDestroy') || decl.associations.some((a) => a.dependent),
      writeJson: buildJsonWriter({ model, fields, associations }),
    };
    Object.defineProperty(model, META, { value: meta, configurable: true, enumerable: false, writable: true });
    defineAssociationAccessors(model, meta);
    if (fields.some((f) => f.sensitive)) defineFilteredInspect(model, meta);
    return meta;
  });
  return metas;
}
