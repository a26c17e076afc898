import { metaOf } from '../orm/internal';
import type { AdminResource } from './resources';

/** The table `stryke generate admin`'s migration creates. */
export const AUDIT_TABLE = 'admin_audit_log';

export interface AuditEntry {
  id: number;
  userId: number | null;
  userLabel: string;
  model: string;
  recordId: string;
  action: string;
  changes: Record<string, [unknown, unknown]> | null;
  createdAt: string;
}

const SECRET = /password|digest|secret|token/i;

/** The changed fields of a save, without anything secret (sensitive fields, or names that look like one). */
export function auditableChanges(r: AdminResource, changes: Record<string, [unknown, unknown]>): Record<string, [unknown, unknown]> {
  const shown = new Set(r.fields.map((f) => f.property));
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(changes)) {
    if (!shown.has(k) || SECRET.test(k)) continue;
    out[k] = v;
  }
  return out;
}

function stamp(d = new Date()): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** Writes one row of the audit log (in the same database as the model). */
export async function audit(r: AdminResource, user: any, action: 'create' | 'update' | 'destroy', recordId: unknown, changes: Record<string, [unknown, unknown]> | null): Promise<void> {
  const db = metaOf(r.model).db;
  const q = db.dialect.quote;
  const cols = ['user_id', 'user_label', 'model', 'record_id', 'action', 'changes', 'created_at'];
  const ph = cols.map((_, i) => db.dialect.placeholder(i + 1)).join(', ');
  const label = String(user?.email ?? user?.name ?? user?.id ?? '');
  await db.execute(`INSERT INTO ${q(AUDIT_TABLE)} (${cols.map(q).join(', ')}) VALUES (${ph})`, [
    user?.id ?? null, label.slice(0, 255), r.slug, String(recordId), action, changes ? JSON.stringify(changes) : null, stamp(),
  ]);
}

/** The latest entries, optionally for one record (newest first; bounded). */
export async function recentAudit(r: AdminResource | null, recordId?: unknown, limit = 50): Promise<AuditEntry[]> {
  const anyModel = r?.model;
  if (!anyModel) return [];
  const db = metaOf(anyModel).db;
  const q = db.dialect.quote;
  const where = recordId !== undefined ? ` WHERE ${q('model')} = ${db.dialect.placeholder(1)} AND ${q('record_id')} = ${db.dialect.placeholder(2)}` : '';
  const binds = recordId !== undefined ? [r!.slug, String(recordId)] : [];
  const rows = await db.select(`SELECT * FROM ${q(AUDIT_TABLE)}${where} ORDER BY ${q('id')} DESC LIMIT ${Math.max(1, Math.min(500, limit | 0))}`, binds);
  return rows.map((row) => ({
    id: Number(row.id), userId: row.user_id === null ? null : Number(row.user_id), userLabel: String(row.user_label ?? ''), model: String(row.model),
    recordId: String(row.record_id), action: String(row.action), changes: row.changes ? JSON.parse(String(row.changes)) : null,
    createdAt: row.created_at instanceof Date ? row.created_at.toISOString() : String(row.created_at),
  }));
}

/** The audit log entries of a model (of one record when `recordId` is given), newest first. */
export function auditLogOf(model: Function, recordId?: unknown, limit = 50): Promise<AuditEntry[]> {
  const table = (metaOf(model) as { table: string }).table;
  return recentAudit({ model, slug: table } as AdminResource, recordId, limit);
}
