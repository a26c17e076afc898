import { createHash } from 'node:crypto';

/**
 * The one inline event handler stryke writes (`buttonTo ... confirm="..."`): constant, reading its
 * message from `data-confirm`, so the default Content-Security-Policy can allow exactly it by hash
 * (`'unsafe-hashes' 'sha256-...'`) while refusing every other inline script.
 */
export const CONFIRM_HANDLER = 'return confirm(this.dataset.confirm)';

export const CONFIRM_HANDLER_SOURCE = `'unsafe-hashes' 'sha256-${createHash('sha256').update(CONFIRM_HANDLER).digest('base64')}'`;
