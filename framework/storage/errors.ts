import { defineError } from '../support';

export const StorageErrors = {
  FILE_TOO_LARGE: defineError('STRYKE_E_STORAGE_FILE_TOO_LARGE', 'The uploaded file "%s" is larger than the limit of %s bytes. Send a smaller file, or raise [limits] file_size in config/storage.toml.', 413),
  TOO_MANY_FILES: defineError('STRYKE_E_STORAGE_TOO_MANY_FILES', 'The form sent more than %s files. Send fewer, or raise [limits] files in config/storage.toml.', 413),
  TOO_MANY_FIELDS: defineError('STRYKE_E_STORAGE_TOO_MANY_FIELDS', 'The form sent more than %s fields (or a field over %s bytes). Send fewer, or raise [limits] fields / field_size in config/storage.toml.', 413),
  BAD_MULTIPART: defineError('STRYKE_E_STORAGE_BAD_MULTIPART', 'The multipart body could not be read: %s', 400),
  TOKEN_AFTER_FILES: defineError('STRYKE_E_STORAGE_TOKEN_AFTER_FILES', 'A file arrived before the CSRF token: a multipart form must send authenticity_token before its files (formFor does), or the X-CSRF-Token header.', 403),
  TYPE_NOT_ALLOWED: defineError('STRYKE_E_STORAGE_TYPE_NOT_ALLOWED', 'The file "%s" is %s, which this app does not accept (allowed: %s). Add the type to allowed_types in config/storage.toml to accept it.', 415),
  BAD_KEY: defineError('STRYKE_E_STORAGE_BAD_KEY', 'Storage key "%s" is not one the framework generated: keys are 28 lowercase letters and digits, never a path.', 400),
  UNKNOWN_SERVICE: defineError('STRYKE_E_STORAGE_UNKNOWN_SERVICE', 'config/storage.toml: no service named "%s" (services: %s). Add [services.%s] with kind = "disk" or "s3".'),
  BAD_CONFIG: defineError('STRYKE_E_STORAGE_BAD_CONFIG', 'config/storage.toml: %s'),
  NOT_CONFIGURED: defineError('STRYKE_E_STORAGE_NOT_CONFIGURED', 'Storage is not configured in this process: boot the app (createApp) before %s.'),
  NOT_LOADED: defineError('STRYKE_E_STORAGE_NOT_LOADED', '%s.%s is not loaded: `await record.%s.load()` (or loadAttached(records, \'%s\') for a list) before reading it in a view.'),
  URL_INVALID: defineError('STRYKE_E_STORAGE_URL_INVALID', 'This file link is invalid or has been tampered with: ask the page that gave it for a new one.', 404),
  URL_EXPIRED: defineError('STRYKE_E_STORAGE_URL_EXPIRED', 'This file link has expired: reload the page that gave it for a fresh one.', 410),
  BLOB_MISSING: defineError('STRYKE_E_STORAGE_BLOB_MISSING', 'The file this link points at is no longer stored (it was replaced or deleted).', 404),
  RANGE_NOT_SATISFIABLE: defineError('STRYKE_E_STORAGE_RANGE_NOT_SATISFIABLE', 'The requested range %s is outside the file (%s bytes).', 416),
  BAD_ATTACH_SOURCE: defineError('STRYKE_E_STORAGE_BAD_ATTACH_SOURCE', 'attach() takes an Upload (from this.params) or { io, filename } (got %s).'),
  BAD_ATTACHMENT: defineError('STRYKE_E_STORAGE_BAD_ATTACHMENT', '%s.%s: %s'),
  TABLES_MISSING: defineError('STRYKE_E_STORAGE_TABLES_MISSING', 'The storage tables do not exist in this database: run `stryke generate storage` and `stryke db migrate`.'),
};
