import { registry } from '../registry';
import { audit, auditableChanges, recentAudit } from './audit';
import { csvRow } from './csv';
import { applyAfterSave, assignBeforeSave, attachmentChanges, attachmentEdits, attachmentViews } from './files';
import { AdminErrors } from './errors';
import { formPage, type Choices } from './form';
import type { Chrome } from './layout';
import { auditPage, dashboardPage, indexPage, showPage } from './pages';
import { indexRelation, readIndexState } from './query';
import { appDirOf, buildResources, type AdminResource } from './resources';

/** What the admin needs of the controller it is mounted in (ActionController has all of it). */
interface Host {
  request: any;
  reply: any;
  params: any;
  currentUser: any;
  flash: { messages: Record<string, string> };
  csrfToken(): string;
  redirectTo(url: string, options?: { notice?: string; alert?: string }): unknown;
}

const cache = new Map<string, Map<string, AdminResource>>();

/** The resources of the app this controller belongs to, built once per process from the model registry. */
export function resourcesFor(c: Host): Map<string, AdminResource> {
  const decl = registry.controllers.get(c.constructor as Function);
  const dir = appDirOf(decl?.source ?? '');
  let map = cache.get(dir);
  if (!map) cache.set(dir, (map = buildResources(dir)));
  return map;
}

function resource(c: Host): AdminResource {
  const slug = String(c.params.get('model') ?? '');
  const r = resourcesFor(c).get(slug);
  if (!r) throw AdminErrors.UNKNOWN_MODEL(slug);
  return r;
}

function chrome(c: Host): Chrome {
  const u = c.currentUser;
  return { resources: [...resourcesFor(c).values()], user: String(u?.email ?? u?.name ?? `User #${u?.id ?? ''}`), flash: c.flash.messages, csrf: c.csrfToken() };
}

function html(c: Host, body: string, status = 200): string {
  c.reply.type('text/html; charset=utf-8').code(status).header('cache-control', 'no-store');
  return body;
}

async function findRecord(r: AdminResource, c: Host): Promise<any> {
  return r.model.find(c.params.get('id'));
}

/**
 * Only the model's editable fields, read from the form body: never the primary key, timestamps, the
 * soft-delete marker, sensitive fields (password digests) or anything else the body carries.
 */
export function assignable(r: AdminResource, body: unknown): Record<string, unknown> {
  const src = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const f of r.editable) {
    if (!Object.prototype.hasOwnProperty.call(src, f.property)) continue;
    let v = src[f.property];
    if (Array.isArray(v)) v = v[v.length - 1]; // a checkbox after its hidden "false"
    if (typeof v !== 'string') continue;
    if (f.decl.type === 'boolean') out[f.property] = v === 'true' || v === '1' || v === 'on';
    else if (v === '' && (f.decl.nullable || f.decl.type !== 'string')) out[f.property] = f.decl.nullable ? null : v;
    else if (f.decl.type === 'json') {
      try { out[f.property] = JSON.parse(v); } catch { out[f.property] = v; }
    } else out[f.property] = v;
  }
  return out;
}

const SELECT_LIMIT = 200;

async function choicesFor(r: AdminResource): Promise<Choices> {
  const out: Choices = new Map();
  for (const f of r.editable) {
    const t = f.belongsTo?.target();
    if (!t) continue;
    const labelField = t.fields.find((x) => x.decl.type === 'string');
    const rows: any[] = await t.model.all().order(t.pk.property, 'asc').limit(SELECT_LIMIT + 1);
    out.set(f.property, rows.length > SELECT_LIMIT ? null : rows.map((x) => [String(x[t.pk.property]), labelField ? `${x[labelField.property]} (#${x[t.pk.property]})` : `${t.singular} #${x[t.pk.property]}`]));
  }
  return out;
}

/** A 403 for a signed-in user who is not an admin (`admin` true on the user record). */
export function requireAdmin(c: { currentUser: any }): void {
  if (!c.currentUser || c.currentUser.admin !== true) throw AdminErrors.NOT_ADMIN();
}

/** The admin's actions; the app's AdminController (written by `stryke generate admin`) routes to them. */
export const admin = {
  dashboard(c: Host) {
    return html(c, dashboardPage([...resourcesFor(c).values()], chrome(c)));
  },

  async auditLog(c: Host) {
    const any = [...resourcesFor(c).values()][0] ?? null;
    return html(c, auditPage(await recentAudit(any, undefined, 200), chrome(c)));
  },

  async index(c: Host) {
    const r = resource(c);
    const s = readIndexState(r, c.request.query ?? {});
    const rows: any[] = await indexRelation(r, s);
    const hasNext = rows.length > r.perPage;
    return html(c, indexPage(r, s, rows.slice(0, r.perPage), hasNext, chrome(c)));
  },

  /** CSV of the current search and filters, in batches by keyset (no row limit, bounded memory). */
  async export(c: Host) {
    const r = resource(c);
    const s = readIndexState(r, c.request.query ?? {});
    const fields = r.fields;
    c.reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${r.slug}.csv"`).header('cache-control', 'no-store');
    async function* rows() {
      yield csvRow(fields.map((f) => f.property));
      const state = { ...s, sort: r.pk.property, dir: 'asc' as const, page: 1 };
      const batch = { ...r, perPage: 500 };
      for (;;) {
        const recs: any[] = await indexRelation(batch, state);
        const page = recs.slice(0, batch.perPage);
        for (const rec of page) yield csvRow(fields.map((f) => rec[f.property]));
        if (recs.length <= batch.perPage) return;
        state.after = String(page[page.length - 1][r.pk.property]);
      }
    }
    return rows();
  },

  async show(c: Host) {
    const r = resource(c);
    const rec = await findRecord(r, c);
    const id = rec[r.pk.property];
    const counts = [];
    for (const m of r.hasMany) {
      const t = m.target();
      if (!t) continue;
      counts.push({ label: t.label, count: await t.model.where({ [m.foreignKey]: id }).count(), href: `/admin/${t.slug}?f_${m.foreignKey}=${encodeURIComponent(String(id))}` });
    }
    return html(c, showPage(r, rec, counts, await attachmentViews(r, rec), await recentAudit(r, id, 20), chrome(c)));
  },

  async new(c: Host) {
    const r = resource(c);
    return html(c, formPage(r, new r.model(), true, await choicesFor(r), chrome(c), []));
  },

  async create(c: Host) {
    const r = resource(c);
    const rec = new r.model(assignable(r, c.request.body));
    const edits = attachmentEdits(r, c.request.body);
    assignBeforeSave(rec, edits);
    if (!(await rec.save())) return html(c, formPage(r, rec, true, await choicesFor(r), chrome(c), []), 422);
    await applyAfterSave(rec, edits);
    const changes = auditableChanges(r, Object.fromEntries(r.editable.map((f) => [f.property, [null, rec[f.property]]])));
    if (edits.length) Object.assign(changes, attachmentChanges([], await attachmentViews(r, rec)));
    await audit(r, c.currentUser, 'create', rec[r.pk.property], changes);
    return c.redirectTo(`/admin/${r.slug}/${encodeURIComponent(String(rec[r.pk.property]))}`, { notice: `${r.singular} was created.` });
  },

  async edit(c: Host) {
    const r = resource(c);
    const rec = await findRecord(r, c);
    return html(c, formPage(r, rec, false, await choicesFor(r), chrome(c), await attachmentViews(r, rec)));
  },

  async update(c: Host) {
    const r = resource(c);
    const rec = await findRecord(r, c);
    rec.assign(assignable(r, c.request.body));
    const changes = auditableChanges(r, rec.changes ?? {});
    const edits = attachmentEdits(r, c.request.body);
    const before = edits.length ? await attachmentViews(r, rec) : [];
    assignBeforeSave(rec, edits);
    if (!(await rec.save())) return html(c, formPage(r, rec, false, await choicesFor(r), chrome(c), before), 422);
    await applyAfterSave(rec, edits);
    if (edits.length) Object.assign(changes, attachmentChanges(before, await attachmentViews(r, rec)));
    if (Object.keys(changes).length) await audit(r, c.currentUser, 'update', rec[r.pk.property], changes);
    return c.redirectTo(`/admin/${r.slug}/${encodeURIComponent(String(rec[r.pk.property]))}`, { notice: `${r.singular} was updated.` });
  },

  async destroy(c: Host) {
    const r = resource(c);
    const rec = await findRecord(r, c);
    await rec.destroy();
    await audit(r, c.currentUser, 'destroy', rec[r.pk.property], null);
    return c.redirectTo(`/admin/${r.slug}`, { notice: `${r.singular} #${rec[r.pk.property]} was deleted.` });
  },

  /** Deletes the checked records one by one (callbacks and dependents run), each in the audit log. */
  async bulkDelete(c: Host) {
    const r = resource(c);
    const raw = c.params.has('ids') ? c.params.permit({ ids: [] }).ids : undefined;
    const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((x): x is string => typeof x === 'string').slice(0, 500);
    let n = 0;
    for (const id of ids) {
      const rec = await r.model.findBy({ [r.pk.property]: id });
      if (!rec) continue;
      await rec.destroy();
      await audit(r, c.currentUser, 'destroy', id, null);
      n++;
    }
    return c.redirectTo(`/admin/${r.slug}`, { notice: n ? `Deleted ${n} ${n === 1 ? 'record' : 'records'}.` : 'Nothing was selected.' });
  },
};
