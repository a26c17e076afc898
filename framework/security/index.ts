export { SessionCodec, Session, type SessionOptions } from './session';
export { maskedToken, verifyToken, csrfRequired, crossSiteOrigin, CSRF_FIELD } from './csrf';
export { SecurityErrors } from './errors';
