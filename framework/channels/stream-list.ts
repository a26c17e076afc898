/**
 * The streams of a connection: one stream as the string itself (the usual case: an array of one costs 56
 * bytes more per idle connection), several as an array.
 */
export type Streams = string | string[] | undefined;
export const listOf = (l: Streams): string[] => (l === undefined ? [] : typeof l === 'string' ? [l] : l);
export const hasIn = (l: Streams, s: string): boolean => (typeof l === 'string' ? l === s : l !== undefined && l.includes(s));
export function addTo(l: Streams, s: string): Streams {
  if (l === undefined) return s;
  if (typeof l === 'string') return [l, s];
  l.push(s);
  return l;
}
/** The list without `s` (undefined when it was the only one). */
export function removeFrom(l: Streams, s: string): Streams {
  if (typeof l === 'string' || l === undefined) return l === s ? undefined : l;
  const at = l.indexOf(s);
  if (at >= 0) l.splice(at, 1);
  return l.length === 0 ? undefined : l.length === 1 ? l[0] : l;
}
