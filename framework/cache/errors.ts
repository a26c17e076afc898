import { defineError } from '../support';

export const CacheErrors = {
  BAD_CONFIG: defineError('STRYKE_E_CACHE_BAD_CONFIG', 'config/cache.toml: %s'),
  BAD_KEY: defineError('STRYKE_E_CACHE_BAD_KEY', 'Cache key %s: %s'),
  BAD_TTL: defineError('STRYKE_E_CACHE_BAD_TTL', 'Cache ttl %s: give milliseconds as a whole number above 0 (60_000), or leave it out for the store\'s default.'),
  UNSERIALIZABLE: defineError('STRYKE_E_CACHE_UNSERIALIZABLE', 'Cache value for %s cannot be stored: %s. Cache plain data (objects, arrays, strings, numbers, booleans, null), e.g. `record.toJSON()`, not a record or a function.'),
};
