import { defineError, StrykeError } from '../support';

export const HttpErrors = {
  TLS_CONFIG: defineError('STRYKE_E_HTTP_TLS_CONFIG', 'TLS in config/server.toml: %s.'),
  PARAMETER_MISSING: defineError('STRYKE_E_HTTP_PARAMETER_MISSING', 'param is missing or the value is empty: %s. Send it as %s[field]=... in a form, or {"%s": {...}} in JSON.', 400),
  NOT_FOUND: defineError('STRYKE_E_HTTP_NOT_FOUND', '%s', 404),
  BAD_METHOD_OVERRIDE: defineError('STRYKE_E_HTTP_BAD_METHOD_OVERRIDE', '_method=%s is not allowed: only PUT, PATCH and DELETE can be tunnelled through a POST form.', 400),
  UNPERMITTED_PARAMETERS: defineError('STRYKE_E_HTTP_UNPERMITTED_PARAMETERS', 'Unpermitted parameters: %s. Permit them in the controller, or stop sending them (config/server.toml unpermitted_parameters = "raise" makes this an error).', 400),
  INVALID_BODY: defineError('STRYKE_E_HTTP_INVALID_BODY', 'The request body is invalid: %s', 422),
  INVALID_JSON: defineError('STRYKE_E_HTTP_INVALID_JSON', 'The request body is not valid JSON (%s), but its Content-Type says application/json.', 400),
  JSON_FORBIDDEN_KEY: defineError('STRYKE_E_HTTP_JSON_FORBIDDEN_KEY', 'The JSON body is valid, but has a "__proto__" or "constructor": { "prototype" } key, which is refused (it would reach every object\'s prototype): rename the key.', 400),
  BAD_PARAMETER: defineError('STRYKE_E_HTTP_BAD_PARAMETER', 'The path parameter "%s" must be a %s.', 400),
  OVERRIDE_STREAM: defineError('STRYKE_E_HTTP_OVERRIDE_STREAM', '_method=%s reaches %s, a `stream: true` route, whose body is never parsed for a _method field: send a real %s request.', 400),
  OVERRIDE_LENGTH_REQUIRED: defineError('STRYKE_E_HTTP_OVERRIDE_LENGTH_REQUIRED', '_method=%s reaches a route with a smaller body limit (%s bytes) than this path\'s POST: send the body with a Content-Length.', 411),
  BODY_TOO_LARGE: defineError('STRYKE_E_HTTP_BODY_TOO_LARGE', 'The request body (%s bytes) is larger than this route accepts (%s bytes).', 413),
  DUPLICATE_HOST: defineError('STRYKE_E_HTTP_DUPLICATE_HOST', 'The request has more than one Host header: send exactly one.', 400),
  UNSUPPORTED_ENCODING: defineError('STRYKE_E_HTTP_UNSUPPORTED_ENCODING', 'Content-Encoding "%s" is not accepted on request bodies here: send the body uncompressed (identity).', 415),
  TOO_MANY_PARAMETERS: defineError('STRYKE_E_HTTP_TOO_MANY_PARAMETERS', 'The %s has more than %s parameters (or an array of more than %s items): nothing of it was read, the CSRF token included. Send fewer fields, or raise parameter_limit in config/server.toml.', 413),
  PARAMETER_NOT_SCALAR: defineError('STRYKE_E_HTTP_PARAMETER_NOT_SCALAR', 'params.%s is a list, and params.<name> reads single values only: permit the list first (params.permit({ %s: [] }).%s).', 400),
  UNSAFE_REDIRECT: defineError('STRYKE_E_HTTP_UNSAFE_REDIRECT', 'Unsafe redirect to %s: %s. Redirect to a path of this app, or pass { allowOtherHost: true } for a host you trust.'),
  SSE_BUSY: defineError('STRYKE_E_HTTP_SSE_BUSY', 'Too many open event streams on this server (%s): try again shortly.', 503),
};

/** Thrown by `this.notFound()` and by anything that should answer 404. */
export function notFoundError(message = 'Not Found'): StrykeError {
  return HttpErrors.NOT_FOUND(message);
}
