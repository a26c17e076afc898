import { gt, lt, range } from '../orm';
import { metaOf } from '../orm/internal';
import type { AdminField, AdminResource } from './resources';

/** The index's state as read from the query string: only known names and well-formed values survive. */
export interface IndexState {
  q: string;
  /** Active filters by property: an equality value, or a date range. */
  filters: Map<string, { eq?: string | boolean; from?: string; to?: string }>;
  sort: string;
  dir: 'asc' | 'desc';
  /** Keyset cursor (the last primary key of the previous page), when sorted by the primary key. */
  after?: string;
  /** Offset page (1-based), when sorted by another column. */
  page: number;
}

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INT = /^-?\d{1,18}$/;

function keyOk(f: AdminField, v: string): boolean {
  const t = f.decl.type;
  if (t === 'integer' || t === 'bigint') return INT.test(v);
  if (t === 'float' || t === 'decimal') return v !== '' && Number.isFinite(Number(v));
  return v !== '';
}

/** Reads search, filters, sort and page from query parameters; anything unknown or malformed is ignored. */
export function readIndexState(r: AdminResource, query: Record<string, unknown>): IndexState {
  const filters: IndexState['filters'] = new Map();
  const allowed = new Map(r.filters.map((f) => [f.property, f]));
  // A has-many count links to the child list filtered by its foreign key, whether or not that is a configured filter.
  for (const f of r.fields) if (f.belongsTo) allowed.set(f.property, f);
  for (const [prop, f] of allowed) {
    const t = f.decl.type;
    if ((t === 'date' || t === 'datetime') && !f.belongsTo) {
      const from = one(query[`${prop}_from`]);
      const to = one(query[`${prop}_to`]);
      const range = { ...(from && DATE.test(from) ? { from } : {}), ...(to && DATE.test(to) ? { to } : {}) };
      if (range.from || range.to) filters.set(prop, range);
      continue;
    }
    const v = one(query[`f_${prop}`]);
    if (v === undefined || v === '') continue;
    if (t === 'boolean') {
      if (v === 'true' || v === 'false') filters.set(prop, { eq: v === 'true' });
    } else if (t === 'enum') {
      const hit = f.decl.values?.find((x) => String(x) === v);
      if (hit !== undefined) filters.set(prop, { eq: String(hit) });
    } else if (keyOk(f, v)) {
      filters.set(prop, { eq: v });
    }
  }
  const sortParam = one(query.sort);
  const sort = sortParam && r.sortable.has(sortParam) ? sortParam : r.sort[0];
  const dirParam = one(query.dir);
  const dir = dirParam === 'asc' || dirParam === 'desc' ? dirParam : sort === r.sort[0] ? r.sort[1] : 'asc';
  const after = one(query.after);
  const pageParam = Number(one(query.page) ?? '1');
  return {
    q: (one(query.q) ?? '').slice(0, 200).trim(),
    filters,
    sort,
    dir,
    ...(after && sort === r.pk.property && keyOk({ decl: r.pk } as AdminField, after) ? { after } : {}),
    page: Number.isInteger(pageParam) && pageParam > 0 && pageParam < 1e6 ? pageParam : 1,
  };
}

/** `%`, `_` and the escape character itself, escaped for LIKE ... ESCAPE '!'. */
export function likePattern(term: string): string {
  return `%${term.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * The index query: search as bound LIKE patterns over known columns, filters as hash conditions (values
 * bound), ORDER BY a known column with the primary key as tiebreak, and one row more than a page (so
 * "is there a next page" needs no COUNT). Sorted by the primary key it pages by keyset (`pk < after`);
 * sorted by another column, by offset.
 */
export function indexRelation(r: AdminResource, s: IndexState): any {
  const meta = metaOf(r.model);
  const q = meta.db.dialect.quote;
  let rel = r.model.all();
  if (s.q && r.search.length) {
    const cols = r.search.map((f) => `LOWER(${q(f.decl.column)}) LIKE ? ESCAPE '!'`);
    rel = rel.where(`(${cols.join(' OR ')})`, ...r.search.map(() => likePattern(s.q)));
  }
  for (const [prop, v] of s.filters) {
    if (v.eq !== undefined) rel = rel.where({ [prop]: v.eq });
    else {
      const f = r.fields.find((x) => x.property === prop)!;
      const from = v.from ? (f.decl.type === 'date' ? v.from : new Date(`${v.from}T00:00:00Z`)) : null;
      const to = v.to ? (f.decl.type === 'date' ? v.to : new Date(Date.parse(`${v.to}T00:00:00Z`) + 86_400_000)) : null;
      rel = rel.where({ [prop]: range(from, to, { exclusive: f.decl.type !== 'date' }) });
    }
  }
  const pk = r.pk.property;
  if (s.sort === pk) {
    if (s.after !== undefined) rel = rel.where({ [pk]: s.dir === 'desc' ? lt(s.after) : gt(s.after) });
    return rel.order(pk, s.dir).limit(r.perPage + 1);
  }
  return rel.order(s.sort, s.dir).order(pk, s.dir).limit(r.perPage + 1).offset((s.page - 1) * r.perPage);
}
