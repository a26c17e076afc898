import { defineError } from '../support';

export const ObservabilityErrors = {
  BAD_CONFIG: defineError('STRYKE_E_OBSERVABILITY_BAD_CONFIG', 'config/server.toml [metrics]: %s'),
  METRICS_EXPOSED: defineError(
    'STRYKE_E_OBSERVABILITY_METRICS_EXPOSED',
    'config/server.toml [metrics]: host "%s" is reachable from other machines and no token is set. Set `token` (at least 16 characters; scrapers send `Authorization: Bearer <token>`) or bind `host = "127.0.0.1"`.',
  ),
};
