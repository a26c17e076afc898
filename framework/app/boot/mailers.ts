import type { FastifyInstance } from 'fastify';
import type { ConfigTree } from '../../config';
import type { RouteDef } from '../../routing';
import { isLoaded } from '../../support';

type MailersModule = typeof import('../../mailers/internal');

/** Whether app code under `build` defined a mailer (without loading the mailers concern when none did). */
export function appHasMailers(build: string): boolean {
  if (!isLoaded('mailers')) return false;
  return (require('../../mailers/internal') as typeof import('../../mailers/internal')).mailersWithin(build).length > 0;
}

/**
 * Composes the app's mailers at boot when it defines any (`@Mailer` classes under its build): reads
 * config/mail.toml, compiles and checks their templates, opens the transport, and in development mounts
 * the previews at /stryke/mailers (never in production). Returns what closes the transport.
 */
export function startAppMailers(root: string, build: string, env: string, config: ConfigTree, routes: RouteDef[], server: FastifyInstance): (() => void) | undefined {
  if (!appHasMailers(build)) return undefined;
  const mailers = require('../../mailers/internal') as MailersModule;
  const rt = mailers.bootMailers({ root, build, env, config, routes });
  if (!rt) return undefined;
  if (rt.settings.previews && env !== 'production') mailers.mountPreviews(server, build, env);
  return () => mailers.closeMailers(rt);
}
