import { defineError } from '../support';

export const AdminErrors = {
  UNKNOWN_MODEL: defineError('STRYKE_E_ADMIN_UNKNOWN_MODEL', 'The admin has no model "%s": it lists the app\'s models (app/models) by table name.', 404),
  BAD_CUSTOMISATION: defineError('STRYKE_E_ADMIN_BAD_CUSTOMISATION', 'app/admin/%s: %s'),
  NOT_ADMIN: defineError('STRYKE_E_ADMIN_NOT_ADMIN', 'Only administrators may use the admin: this user is signed in but is not an admin (set `admin` to true on their User record).', 403),
};
