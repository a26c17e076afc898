/** The admin's framework-only surface (not a package subpath): the PWA finds the app's folder as the admin does. */
export { appDirOf } from './resources';
