import { defineAdmin } from 'stryke';

/** The admin's list of posts: what it shows, searches and filters (docs/admin.md). */
export default defineAdmin({
  columns: ['id', 'title', 'published', 'authorId', 'createdAt'],
  search: ['title', 'body'],
  filters: ['published', 'authorId', 'createdAt'],
});
