import type { ModelMeta } from './meta';
import type { ModelValidations } from './validation';

/** A model's validations as the validation runner takes them, with uniqueness checked in the database. */

const validationCache = new WeakMap<ModelMeta, ModelValidations>();

export function validationsOf(meta: ModelMeta): ModelValidations {
  let v = validationCache.get(meta);
  if (!v) {
    v = {
      rules: meta.decl.validations,
      methods: meta.decl.validators ?? [],
      async taken(record, property, scope, caseSensitive) {
        const Model = record.constructor as any;
        const f = meta.byProperty.get(property)!;
        let rel = Model.unscoped();
        const value = record[property];
        if (!caseSensitive && typeof value === 'string') {
          const q = meta.db.dialect.quote(f.column);
          rel = rel.where(`LOWER(${q}) = LOWER(?)`, value);
        } else {
          rel = rel.where({ [property]: value });
        }
        for (const s of scope) rel = rel.where({ [s]: record[s] ?? null });
        if (record.isPersisted) rel = rel.whereNot({ [meta.pk.property]: record.attributeWas(meta.pk.property) ?? record[meta.pk.property] });
        return rel.exists();
      },
    };
    validationCache.set(meta, v);
  }
  return v;
}
