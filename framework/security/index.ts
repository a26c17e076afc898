export { SessionCodec, Session, type SessionOptions } from './session';
export { maskedToken, verifyToken, csrfRequired, crossSiteOrigin, CSRF_FIELD } from './csrf';
export { SecurityErrors } from './errors';
export { CONFIRM_HANDLER_SOURCE, CONFIRM_HANDLER } from './csp';
export { CSRF_SESSION_KEY } from './csrf';
export { deriveKey } from './keys';
