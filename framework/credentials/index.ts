/**
 * Encrypted credentials: config/credentials.toml.enc, each value sealed with AES-256-GCM under the master
 * key (STRYKE_MASTER_KEY or config/master.key), bound to its key path. See docs/credentials.md.
 */
export { CredentialsErrors } from './errors';
export {
  CREDENTIALS_FILE, KEY_FILE, KEY_ENV, createCredentials, generateKey, loadCredentials, openCredentials, readMasterKey,
  writeCredentials, type Credentials, type MasterKey,
} from './file';
export { parse as parseToml, stringify as stringifyToml, type Tree } from './cipher';
