import { defineError } from '../support/errors';

export const OrmErrors = {
  RECORD_NOT_FOUND: defineError('STRYKE_E_ORM_RECORD_NOT_FOUND', "Couldn't find %s with %s", 404),
  RECORD_INVALID: defineError('STRYKE_E_ORM_RECORD_INVALID', 'Validation failed: %s', 422),
  NOT_BOUND: defineError('STRYKE_E_ORM_NOT_BOUND', '%s is not connected to a database: boot the app (createApp) before using models, and make sure app/models/ defines it with @Model.'),
  UNDEFINED_CONDITION: defineError('STRYKE_E_ORM_UNDEFINED_CONDITION', '%s.%s(%s) was given undefined for "%s": that would match every row. Pass a value, or null to match NULL.'),
  BIND_COUNT: defineError('STRYKE_E_ORM_BIND_COUNT', '%s.where(%s) has %s ? placeholder(s) but was given %s value(s): pass one value per ?.'),
  UNKNOWN_COLUMN: defineError('STRYKE_E_ORM_UNKNOWN_COLUMN', '%s has no field "%s" (known: %s). Declare it with @Field, or fix the name.'),
  BAD_ORDER: defineError('STRYKE_E_ORM_BAD_ORDER', 'Unsafe order "%s" on %s: order() takes a field name and a direction ("asc" or "desc").'),
  BAD_LIMIT: defineError('STRYKE_E_ORM_BAD_LIMIT', '%s(%s) needs a non-negative integer.'),
  ASSOCIATION_NOT_LOADED: defineError('STRYKE_E_ORM_ASSOCIATION_NOT_LOADED', '%s#%s was not loaded. Add .includes(\'%s\') to the query that loaded it, or call `await record.load(\'%s\')` first.'),
  UNKNOWN_ASSOCIATION: defineError('STRYKE_E_ORM_UNKNOWN_ASSOCIATION', '%s has no association "%s" (known: %s).'),
  NO_PRIMARY_KEY: defineError('STRYKE_E_ORM_NO_PRIMARY_KEY', '%s has no primary key: mark one field with @Field({ primary: true }).'),
  UNSUPPORTED_ADAPTER: defineError('STRYKE_E_ORM_UNSUPPORTED_ADAPTER', 'Unknown database adapter "%s" in config/database.toml or DATABASE_URL: use sqlite, postgres or mysql.'),
  AMBIGUOUS_TYPE: defineError('STRYKE_E_ORM_AMBIGUOUS_TYPE', '@Field() on %s.%s cannot tell the column type: TypeScript records a union (number | null), an interface or unknown as Object. Name it: @Field(\'integer\'), @Field(\'datetime\'), @Field(\'json\')...'),
  BAD_VALIDATION: defineError('STRYKE_E_ORM_BAD_VALIDATION', 'Unknown validation "%s" on %s.%s: use presence, length, format, inclusion or numericality.'),
};
