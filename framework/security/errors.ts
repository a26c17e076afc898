import { defineError } from '../support';

export const SecurityErrors = {
  CSRF_TOKEN_INVALID: defineError('STRYKE_E_SECURITY_CSRF_TOKEN_INVALID', 'Invalid or missing CSRF token: state-changing requests from a browser must carry the authenticity_token form field or the X-CSRF-Token header from a page this app rendered. Use {{csrfField}} in forms or {{csrfMetaTags}} for scripts.', 403),
  CSRF_CROSS_SITE: defineError('STRYKE_E_SECURITY_CSRF_CROSS_SITE', 'Cross-site request refused: the request came from %s, not from this application.', 403),
};
