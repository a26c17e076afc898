import pluralizeLib from 'pluralize';

/** `posts` -> `post`; `people` -> `person`. */
export function singularize(word: string): string {
  return pluralizeLib.singular(word);
}

/** `post` -> `posts`; `person` -> `people`. */
export function pluralize(word: string): string {
  return pluralizeLib.plural(word);
}

/** `blog_post`, `blog-post`, `BlogPost` -> `blog_post`. */
export function underscore(word: string): string {
  return word
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toLowerCase();
}

/** `blog_post` -> `BlogPost`. */
export function classify(word: string): string {
  return underscore(word)
    .split('_')
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

/** `blog_post` -> `blogPost`. */
export function camelize(word: string): string {
  const c = classify(word);
  return c ? c[0]!.toLowerCase() + c.slice(1) : c;
}

/** `authorId` -> `Author`; `created_at` -> `Created at`. */
export function humanize(word: string): string {
  const s = underscore(word).replace(/_id$/, '').replace(/_/g, ' ').trim();
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}
