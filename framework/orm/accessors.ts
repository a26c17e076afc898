import { inspect } from 'node:util';
import type { Constructor } from '../registry';
import { foreignKeyOf, loadedMap, LOADED, notLoaded, setLoaded } from './associations';
import { metaOf, type ModelMeta } from './meta';
import type { Rec } from './record-state';

/** Installs the association accessors: the loaded value, or a placeholder that knows it was not loaded. */
export function defineAssociationAccessors(model: Constructor, meta: ModelMeta): void {
  for (const [name] of meta.associations) {
    if (Object.prototype.hasOwnProperty.call(model.prototype, name)) continue;
    Object.defineProperty(model.prototype, name, {
      configurable: true,
      get(this: Rec) {
        const map = this[LOADED] as Map<string, unknown> | undefined;
        if (map?.has(name)) return map.get(name);
        return notLoaded(this, name);
      },
      set(this: Rec, value: unknown) {
        const a = meta.associations.get(name)!;
        if (a.kind === 'hasMany') {
          setLoaded(this, name, a, Array.isArray(value) ? value : []);
          return;
        }
        loadedMap(this).set(name, value);
        if (a.kind === 'belongsTo' && value === null) this[foreignKeyOf(model, a)] = null;
        else if (a.kind === 'belongsTo' && value && typeof value === 'object') {
          const target = metaOf(a.target());
          this[foreignKeyOf(model, a)] = (value as any)[target.pk.property];
        }
      },
    });
  }
}

/**
 * For a model with sensitive fields (a password digest): `util.inspect` (console.log, the REPL, a logged
 * record) shows its fields with those as `[FILTERED]`, and none of the record's bookkeeping (the row as read
 * would show the digest again).
 */
export function defineFilteredInspect(model: Constructor, meta: ModelMeta): void {
  if (Object.prototype.hasOwnProperty.call(model.prototype, inspect.custom)) return;
  Object.defineProperty(model.prototype, inspect.custom, {
    configurable: true,
    value(this: Rec, depth: number, options: object, inspectFn: typeof inspect = inspect) {
      const shown: Record<string, unknown> = {};
      for (const f of meta.fields) {
        if (f.sensitive) shown[f.property] = this[f.property] === undefined || this[f.property] === null ? this[f.property] : '[FILTERED]';
        else if (this[f.property] !== undefined) shown[f.property] = this[f.property];
      }
      for (const name of meta.associations.keys()) if (this[LOADED]?.has(name)) shown[name] = this[LOADED].get(name);
      if (depth < 0) return `[${model.name}]`;
      return `${model.name} ${inspectFn(shown, { ...options, depth: (options as { depth?: number }).depth === null ? null : depth })}`;
    },
  });
}
