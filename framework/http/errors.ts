import { defineError, StrykeError } from '../support/errors';

export const HttpErrors = {
  PARAMETER_MISSING: defineError('STRYKE_E_HTTP_PARAMETER_MISSING', 'param is missing or the value is empty: %s. Send it as %s[field]=... in a form, or {"%s": {...}} in JSON.', 400),
  NOT_FOUND: defineError('STRYKE_E_HTTP_NOT_FOUND', '%s', 404),
  BAD_METHOD_OVERRIDE: defineError('STRYKE_E_HTTP_BAD_METHOD_OVERRIDE', '_method=%s is not allowed: only PUT, PATCH and DELETE can be tunnelled through a POST form.', 400),
  UNPERMITTED_PARAMETERS: defineError('STRYKE_E_HTTP_UNPERMITTED_PARAMETERS', 'Unpermitted parameters: %s. Permit them in the controller, or stop sending them (config/server.toml unpermitted_parameters = "raise" makes this an error).', 400),
  INVALID_BODY: defineError('STRYKE_E_HTTP_INVALID_BODY', 'The request body is invalid: %s', 422),
};

/** Thrown by `this.notFound()` and by anything that should answer 404. */
export function notFoundError(message = 'Not Found'): StrykeError {
  return HttpErrors.NOT_FOUND(message);
}
