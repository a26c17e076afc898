import type { FieldDecl } from '../registry';
import type { IncludeTree } from './associations';

/** A relation's query as data: conditions, columns, joins, and the state that holds them all. */

/** A condition, kept as a tree until compiled: values stay out of the SQL, bound in order. */
export type Node =
  | { k: 'eq'; path?: string; field: FieldDecl; value: unknown }
  | { k: 'in'; path?: string; field: FieldDecl; values: unknown[] }
  | { k: 'null'; path?: string; field: FieldDecl }
  | { k: 'cmp'; path?: string; field: FieldDecl; op: '>' | '>=' | '<' | '<='; value: unknown }
  | { k: 'raw'; sql: string; binds: unknown[] }
  | { k: 'and' | 'or'; items: Node[] }
  | { k: 'not'; item: Node }
  | { k: 'false' };

/** A column of the query's model (path undefined) or of a joined association (`comments`, `comments.user`). */
export interface ColRef {
  path?: string;
  field: FieldDecl;
}

export interface JoinSpec {
  path: string;
  left: boolean;
}

/** What a relation holds: everything `where`, `order`, `joins` and the rest added, kept as data until compiled. */
export interface State {
  where: Node[];
  orders: [ColRef, 'ASC' | 'DESC'][];
  limit?: number;
  offset?: number;
  includes?: IncludeTree;
  joins: JoinSpec[];
  select?: FieldDecl[];
  distinct?: boolean;
  group?: ColRef[];
  having: Node[];
  lock?: boolean;
  none?: boolean;
  /** Soft-deleted rows: left out (default), included ('with'), or the only ones ('only'). */
  deleted?: 'with' | 'only';
  strict?: boolean;
}

// Every key present from the start, so each relation's state has one shape (spreads keep it).
export const EMPTY: State = {
  where: [], orders: [], limit: undefined, offset: undefined, includes: undefined, joins: [], select: undefined,
  distinct: undefined, group: undefined, having: [], lock: undefined, none: undefined, deleted: undefined, strict: undefined,
};

/** A copy of a state, every key written out so that all states share one hidden class. */
export function copyState(s: State): State {
  return {
    where: s.where, orders: s.orders, limit: s.limit, offset: s.offset, includes: s.includes, joins: s.joins, select: s.select,
    distinct: s.distinct, group: s.group, having: s.having, lock: s.lock, none: s.none, deleted: s.deleted, strict: s.strict,
  };
}

/** A copy of a state with some keys replaced. */
export function withPatch(s: State, patch: Partial<State>): State {
  return Object.assign(copyState(s), patch);
}
