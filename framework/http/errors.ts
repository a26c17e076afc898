import { defineError, StrykeError } from '../support/errors';

export const HttpErrors = {
  PARAMETER_MISSING: defineError('STRYKE_E_HTTP_PARAMETER_MISSING', 'param is missing or the value is empty: %s. Send it as %s[field]=... in a form, or {"%s": {...}} in JSON.', 400),
  NOT_FOUND: defineError('STRYKE_E_HTTP_NOT_FOUND', '%s', 404),
  BAD_METHOD_OVERRIDE: defineError('STRYKE_E_HTTP_BAD_METHOD_OVERRIDE', '_method=%s is not allowed: only PUT, PATCH and DELETE can be tunnelled through a POST form.', 400),
  UNPERMITTED_PARAMETERS: defineError('STRYKE_E_HTTP_UNPERMITTED_PARAMETERS', 'Unpermitted parameters: %s. Permit them in the controller, or stop sending them (config/server.toml unpermitted_parameters = "raise" makes this an error).', 400),
  INVALID_BODY: defineError('STRYKE_E_HTTP_INVALID_BODY', 'The request body is invalid: %s', 422),
  INVALID_JSON: defineError('STRYKE_E_HTTP_INVALID_JSON', 'The request body is not valid JSON (%s), but its Content-Type says application/json.', 400),
  JSON_FORBIDDEN_KEY: defineError('STRYKE_E_HTTP_JSON_FORBIDDEN_KEY', 'The JSON body is valid, but has a "__proto__" or "constructor": { "prototype" } key, which is refused (it would reach every object\'s prototype): rename the key.', 400),
  WS_UNAVAILABLE: defineError('STRYKE_E_HTTP_WS_UNAVAILABLE', 'WebSocket route %s (%s) is declared, but WebSocket channels are not available in this version: the route is listed, and answers 501 until channels land.', 501),
};

/** Thrown by `this.notFound()` and by anything that should answer 404. */
export function notFoundError(message = 'Not Found'): StrykeError {
  return HttpErrors.NOT_FOUND(message);
}
