/**
 * Migrations' framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their surfaces"):
 * `stryke db diff` compares the models with the database.
 */
export { diffSchema, diffSource } from './diff';
