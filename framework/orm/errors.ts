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
  
  AMBIGUOUS_TYPE: defineError('STRYKE_E_ORM_AMBIGUOUS_TYPE', '@Field() on %s.%s cannot tell the column type: TypeScript records a union (number | null), an interface or unknown as Object. Name it: @Field(\'integer\'), @Field(\'datetime\'), @Field(\'json\')...'),
  BAD_VALIDATION: defineError('STRYKE_E_ORM_BAD_VALIDATION', 'Unknown validation "%s" on %s.%s: use presence, absence, length, format, numericality, inclusion, exclusion, uniqueness, confirmation or with (and message, if, unless, on, allowNull, allowBlank).'),
  N_PLUS_ONE: defineError('STRYKE_E_ORM_N_PLUS_ONE', 'N+1 query: %s#%s was loaded one record at a time (%s times so far) for %s %s records that one query loaded together. Add %s to that query.'),
  STRICT_LOADING: defineError('STRYKE_E_ORM_STRICT_LOADING', '%s#%s was lazily loaded from a record with strict loading on. Add .includes(\'%s\') to the query that loaded it.'),
  NOT_JOINED: defineError('STRYKE_E_ORM_NOT_JOINED', '%s: "%s" names the association "%s", which this query does not join. Add .joins(\'%s\') or .leftJoins(\'%s\').'),
  BAD_ASSOCIATION: defineError('STRYKE_E_ORM_BAD_ASSOCIATION', '%s#%s: %s'),
  RECORD_NOT_SAVED: defineError('STRYKE_E_ORM_RECORD_NOT_SAVED', 'Failed to save the %s: %s', 422),
  RECORD_NOT_DESTROYED: defineError('STRYKE_E_ORM_RECORD_NOT_DESTROYED', 'Failed to destroy the %s: %s', 422),
  OWNER_NOT_SAVED: defineError('STRYKE_E_ORM_OWNER_NOT_SAVED', 'Cannot %s through %s#%s before the %s is saved: save it first.'),
  BAD_PAGINATION: defineError('STRYKE_E_ORM_BAD_PAGINATION', 'paginate(): perPage must be an integer from 1 to %s (got %s).'),
  UNSAFE_CONDITION: defineError('STRYKE_E_ORM_UNSAFE_CONDITION', '%s.%s() was given %s for "%s": a condition value is one value or null, never an object or an array (request data like ?token[gt]= or ?token[]= parses to those). Operators come from code: gt, gte, lt, lte, range, anyOf([...]), not (import them from stryke/orm).', 400),
  FORBIDDEN_ATTRIBUTES: defineError('STRYKE_E_ORM_FORBIDDEN_ATTRIBUTES', '%s was given request parameters that did not go through permit, so a client could set any field. Pass params.require(\'...\').permit(\'title\', ...) (or a plain object you built).'),
  UNAVAILABLE: defineError('STRYKE_E_ORM_UNAVAILABLE', 'The database is unavailable: %s', 503),
};
