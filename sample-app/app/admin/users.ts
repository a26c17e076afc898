import { defineAdmin } from 'stryke';

/**
 * The admin's pages for users (written by `stryke generate admin`). Every model has pages without a file
 * here; add `app/admin/<table>.ts` to choose what its list shows and filters (docs/admin.md).
 */
export default defineAdmin({
  columns: ['id', 'email', 'admin', 'createdAt'],
  search: ['email'],
  filters: ['admin', 'createdAt'],
});
