import { isUpload, urlFor, type Upload } from '../storage';
import type { AdminResource } from './resources';

/** One attachment of a record as the admin shows it: its files, each with a signed URL. */
export interface AttachmentView {
  name: string;
  kind: 'one' | 'many';
  files: { filename: string; url: string; image: boolean }[];
}

/** The form field that asks to remove an attachment's files (`remove_attachments[]`, one checkbox per attachment, its name as value). */
export const REMOVE_FIELD = 'remove_attachments';

/** The record's attachments, loaded, with their files' URLs (for the show and edit pages). */
export async function attachmentViews(r: AdminResource, rec: any): Promise<AttachmentView[]> {
  const out: AttachmentView[] = [];
  for (const a of r.attachments) {
    const att = rec[a.name];
    if (!att?.load) continue;
    await att.load();
    const blobs: any[] = a.kind === 'one' ? (att.blob ? [att.blob] : []) : att.blobs;
    out.push({
      name: a.name, kind: a.kind,
      files: blobs.map((b) => ({ filename: String(b.filename), url: urlFor(b) ?? '#', image: /^image\/(png|jpeg|gif|webp|avif)$/.test(String(b.contentType)) })),
    });
  }
  return out;
}

/** What the form asks of each attachment: files to add (or to replace a has-one's) and whether to remove the current ones. */
interface AttachmentEdit {
  name: string;
  kind: 'one' | 'many';
  uploads: Upload[];
  remove: boolean;
}

/** Reads the uploads (multipart, each an Upload in the body) and removals of the model's attachments; nothing else. */
export function attachmentEdits(r: AdminResource, body: unknown): AttachmentEdit[] {
  const src = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(src, k) ? src[k] : undefined);
  const removeRaw = own(REMOVE_FIELD);
  const removals = new Set((Array.isArray(removeRaw) ? removeRaw : [removeRaw]).filter((x): x is string => typeof x === 'string'));
  return r.attachments.map((a) => {
    const given = own(a.name);
    const uploads = (Array.isArray(given) ? given : [given]).filter(isUpload);
    return { name: a.name, kind: a.kind, uploads: a.kind === 'one' ? uploads.slice(-1) : uploads, remove: removals.has(a.name) };
  }).filter((e) => e.uploads.length || e.remove);
}

/** A has-one's new file (or its removal) is set before the save, so it commits with the record. */
export function assignBeforeSave(rec: any, edits: AttachmentEdit[]): void {
  for (const e of edits) {
    if (e.kind !== 'one') continue;
    if (e.uploads.length) rec[e.name] = e.uploads[0];
    else if (e.remove) rec[e.name] = null;
  }
}

/** A has-many's removals and additions, once the record is saved (each saves it again, attaching or purging). */
export async function applyAfterSave(rec: any, edits: AttachmentEdit[]): Promise<void> {
  for (const e of edits) {
    if (e.kind !== 'many') continue;
    if (e.remove) await rec[e.name].purge();
    if (e.uploads.length) await rec[e.name].attach(...e.uploads);
  }
}

/** The audit log's entry for the edits: the file names before and after, per attachment. */
export function attachmentChanges(before: AttachmentView[], after: AttachmentView[]): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const b of after) {
    const a = before.find((x) => x.name === b.name);
    const was = (a?.files ?? []).map((f) => f.filename);
    const now = b.files.map((f) => f.filename);
    if (was.join('\u0000') !== now.join('\u0000')) out[b.name] = [was.length ? was.join(', ') : null, now.length ? now.join(', ') : null];
  }
  return out;
}
