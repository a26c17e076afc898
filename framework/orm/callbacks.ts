import { transactionHooks, type TransactionScope } from './connection';
import { metaOf, type ModelMeta } from './meta';
import type { Rec } from './record-state';

/**
 * Callbacks: a record's before/after methods for an event, halted by `Abort`; and the transaction a save
 * or destroy runs in, whose commit or rollback runs the afterCommit/afterRollback callbacks.
 */

/**
 * Thrown from a before* callback, halts the chain quietly: `save()` returns false (with the message, if
 * any, on `errors.on('base')`) and nothing is written.
 * @example @BeforeSave() checkQuota() { if (this.overQuota) throw new Abort('Quota exceeded'); }
 */
export class Abort extends Error {
  constructor(message?: string) {
    super(message ?? 'Aborted by a callback');
    this.name = 'Abort';
    this.userMessage = message;
  }
  readonly userMessage: string | undefined;
}

/** Runs a record's callback methods for an event, in order (a throw stops the chain and the save). */
export async function runCallbacks(record: Rec, event: string): Promise<void> {
  const methods = metaOf(record.constructor).callbacks.get(event);
  if (methods) for (const m of methods) await record[m]();
}

/**
 * Runs a save's or destroy's work in the enclosing transaction, in a new one when callbacks or dependents
 * run around the statement, or else as the lone statement it is (auto-committed: afterCommit runs at once).
 */
export async function atomically(meta: ModelMeta, needsTransaction: boolean, body: (scope: TransactionScope) => Promise<void>): Promise<void> {
  const outer = meta.db.currentTransaction();
  if (outer || needsTransaction) {
    await meta.db.transaction(body, { join: true });
    return;
  }
  const records: TransactionScope['records'] = [];
  await body({ records } as unknown as TransactionScope);
  if (records.length) await transactionHooks.commit(records);
}

export function enlist(scope: TransactionScope, record: Rec, action: 'create' | 'update' | 'destroy'): void {
  const meta = metaOf(record.constructor);
  if (meta.callbackEntries.has('afterCommit') || meta.callbackEntries.has('afterRollback')) scope.records.push({ record, action });
}

async function runTransactionCallbacks(event: 'afterCommit' | 'afterRollback', records: TransactionScope['records']): Promise<void> {
  // One run per record, as Rails does, for the actions it went through in the transaction.
  const byRecord = new Map<Rec, Set<string>>();
  for (const { record, action } of records) {
    const s = byRecord.get(record);
    if (s) s.add(action);
    else byRecord.set(record, new Set([action]));
  }
  for (const [record, actions] of byRecord) {
    const entries = metaOf(record.constructor).callbackEntries.get(event);
    if (!entries) continue;
    for (const e of entries) if (!e.on || e.on.some((a) => actions.has(a))) await record[e.method]();
  }
}

transactionHooks.commit = (records) => runTransactionCallbacks('afterCommit', records);
transactionHooks.rollback = (records) => runTransactionCallbacks('afterRollback', records);
