import type { TestApp } from 'stryke/testing';

/** Rows in the sample app's posts table, read with plain SQL (independent of the model layer). */
export async function countPosts(app: TestApp): Promise<number> {
  const rows = await app.db.select('SELECT COUNT(*) AS n FROM posts');
  return Number(rows[0]!.n);
}
