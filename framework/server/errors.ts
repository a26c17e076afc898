import { defineError } from '../support';

export const ServerErrors = {
  NATIVE_DIR: defineError('STRYKE_E_SERVER_NATIVE_DIR', 'A single executable loads its native addons from %s, which is not private to this user (another owner, or writable by others): set STRYKE_NATIVE_DIR to a folder only this user can write.'),
};
