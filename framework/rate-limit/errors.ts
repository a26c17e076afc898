import { defineError } from '../support';

export const RateLimitErrors = {
  EXCEEDED: defineError('STRYKE_E_RATE_LIMIT_EXCEEDED', 'Too many requests: %s. Try again in %s.', 429),
  BAD_CONFIG: defineError('STRYKE_E_RATE_LIMIT_BAD_CONFIG', 'config/server.toml [rate_limit]: %s'),
  BAD_DECLARATION: defineError('STRYKE_E_RATE_LIMIT_BAD_DECLARATION', '@RateLimit at %s: %s'),
  BAD_TRUST_PROXY: defineError('STRYKE_E_RATE_LIMIT_BAD_TRUST_PROXY', 'config/server.toml trust_proxy = %s: %s'),
};
