import type { FieldDecl, ModelDecl } from '../registry';
import type { Database } from './connection';
import { defineAssociationAccessors } from './model';
import { META, type ModelMeta } from './meta';
import { Relation } from './relation';
import { scopeBodies } from './scope';

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
 * Binds each declared model to the app's database, once at boot: computes its metadata, builds its
 * relation class (with the model's scopes as chainable methods), and installs association guards.
 */
export function bindModels(decls: ModelDecl[], db: Database): ModelMeta[] {
  return decls.map((decl) => {
    const model = decl.target;
    let fields: FieldDecl[] = decl.fields;
    if (!fields.some((f) => f.primary)) {
      fields = [{ property: 'id', column: 'id', type: 'integer', primary: true, nullable: false }, ...fields];
    }
    const pk = fields.find((f) => f.primary)!;
    const callbacks = new Map<string, string[]>();
    for (const c of decl.callbacks) callbacks.set(c.event, [...(callbacks.get(c.event) ?? []), c.method]);

    class ModelRelation extends Relation {}
    for (const [name, fn] of scopesOf(model)) {
      Object.defineProperty(ModelRelation.prototype, name, {
        value(this: Relation, ...args: unknown[]) {
          return fn(this, ...args);
        },
      });
    }
    Object.defineProperty(ModelRelation, 'name', { value: `${model.name}Relation` });

    const meta: ModelMeta = {
      model, decl, db, fields, pk,
      table: decl.table,
      qtable: db.dialect.quote(decl.table),
      byProperty: new Map(fields.map((f) => [f.property, f])),
      associations: new Map(decl.associations.map((a) => [a.property, a])),
      callbacks,
      hasValidations: decl.validations.length > 0,
      sqlCache: new Map(),
      relationClass: ModelRelation,
    };
    Object.defineProperty(model, META, { value: meta, configurable: true, enumerable: false, writable: true });
    defineAssociationAccessors(model, meta);
    return meta;
  });
}
