/**
 * The ORM's framework-only surface: what the app's boot, migrations, jobs, admin, storage and testing need from
 * the ORM and users must not reach. Not a package subpath (`stryke/orm` is ./index.ts); see docs/architecture.md,
 * "Concerns and their surfaces".
 */
export { bindModels } from './bind';
export { dialectFor } from './dialect';
export { metaOf } from './meta';
export { transactionStore } from './connection';
export { jsonText } from './serialize';
