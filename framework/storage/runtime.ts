import { createHmac } from 'node:crypto';
import type { Database } from '../orm';
import type { StorageSettings } from './config';
import { StorageErrors } from './errors';
import type { StorageService } from './service';

export interface StorageRuntime {
  settings: StorageSettings;
  /** HMAC key for signed URLs, derived from the app's secret (never the secret itself). */
  signingKey: Buffer;
  /** The app's database, where the blobs and attachments tables live. */
  db?: Database;
}

/** The storage of the app booted in this process (as `paths` is): set at boot by createApp. */
let current: StorageRuntime | undefined;

export function configureStorage(settings: StorageSettings, secret: string, db?: Database): StorageRuntime {
  current = { settings, signingKey: createHmac('sha256', secret).update('stryke storage signed urls v1').digest(), db };
  return current;
}

export function storageRuntime(what: string): StorageRuntime {
  if (!current) throw StorageErrors.NOT_CONFIGURED(what);
  return current;
}

/** Forgets the process's storage (an app closing). */
export function resetStorage(runtime?: StorageRuntime): void {
  if (!runtime || current === runtime) current = undefined;
}

export function serviceNamed(name: string, what: string): StorageService {
  const rt = storageRuntime(what);
  const service = rt.settings.services.get(name);
  if (!service) throw StorageErrors.UNKNOWN_SERVICE(name, [...rt.settings.services.keys()].join(', '), name);
  return service;
}
