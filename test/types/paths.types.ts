// Typed path helpers: with app/paths.d.ts (here: the AppPaths declared in ./app), a wrong helper name or a
// missing argument is a compile error.
import { paths, type TypedPaths } from 'stryke';
import './app';

export function links(typed: TypedPaths): string[] {
  const out = [paths.articlesPath(), paths.articlePath(1), paths.articlePath({ id: 2 }, { page: 2 }), typed.articleRemarkPath(1, 2)];
  // @ts-expect-error: no such helper
  paths.articelPath(1);
  // @ts-expect-error: a missing argument
  paths.articlePath();
  // @ts-expect-error: one too many
  paths.articlesPath(1, { page: 2 });
  // @ts-expect-error: a segment is a scalar or a record with an id
  paths.articlePath([1]);
  return out;
}
