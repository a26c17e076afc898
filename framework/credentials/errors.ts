import { defineError } from '../support';

export const CredentialsErrors = {
  KEY_MISSING: defineError('STRYKE_E_CREDENTIALS_KEY_MISSING', 'config/credentials.toml.enc cannot be read without its key: set STRYKE_MASTER_KEY, or put the key in config/master.key (ask whoever holds it; it is never committed).'),
  BAD_KEY: defineError('STRYKE_E_CREDENTIALS_BAD_KEY', '%s is not a master key: it must be 64 hexadecimal characters (32 bytes), and it has %s. Restore the key config/credentials.toml.enc was written with.'),
  UNREADABLE: defineError('STRYKE_E_CREDENTIALS_UNREADABLE', 'config/credentials.toml.enc cannot be decrypted with the key from %s (%s): the key is wrong, or the file was changed by hand. Nothing was read from it.'),
  PARSE: defineError('STRYKE_E_CREDENTIALS_PARSE', 'config/credentials.toml.enc is not valid TOML: %s. A merge may have kept two versions of a line: keep one, or restore the file from git.'),
  NOT_ENCRYPTED: defineError('STRYKE_E_CREDENTIALS_NOT_ENCRYPTED', 'config/credentials.toml.enc: %s holds a value that is not encrypted. Values are added with `stryke credentials edit`, never written into the file by hand.'),
  MISSING_VALUE: defineError('STRYKE_E_CREDENTIALS_MISSING_VALUE', 'config/%s refers to ${credentials:%s}, which config/credentials.toml.enc does not have%s. Add it with `stryke credentials edit`.'),
  NO_EDITOR: defineError('STRYKE_E_CREDENTIALS_NO_EDITOR', 'No editor: set EDITOR (or VISUAL) to your editor\'s command, e.g. EDITOR=vim or EDITOR="code --wait", then run `stryke credentials edit` again.'),
  EDITOR_FAILED: defineError('STRYKE_E_CREDENTIALS_EDITOR_FAILED', 'The editor (%s) %s; config/credentials.toml.enc was left as it was.'),
  INVALID_EDIT: defineError('STRYKE_E_CREDENTIALS_INVALID_EDIT', 'The edited credentials are not valid TOML (%s); config/credentials.toml.enc was left as it was and the edit discarded. Run `stryke credentials edit` again.'),
};
