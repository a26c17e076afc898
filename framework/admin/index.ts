/**
 * The admin: pages for every model of the app, built at first use from the model registry (fields,
 * validations, associations, attachments). `stryke generate admin` mounts it at /admin in the app's own
 * AdminController, behind @RequireAuth() and `requireAdmin`. See docs/admin.md.
 */
export { admin, requireAdmin, assignable, resourcesFor } from './actions';
export { defineAdmin, buildResources, type AdminOptions, type AdminResource, type AdminField } from './resources';
export { readIndexState, indexRelation, likePattern, type IndexState } from './query';
export { csvCell, csvRow } from './csv';
export { AUDIT_TABLE, recentAudit, auditLogOf, type AuditEntry } from './audit';
export { AdminErrors } from './errors';
