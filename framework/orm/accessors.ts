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
