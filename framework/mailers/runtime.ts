import { join } from 'node:path';
import type { Job as BullJob } from 'bullmq';
import { currentEnv, loadConfig, type ConfigTree } from '../config';
import type { RouteDef } from '../routing';
import { buildPathHelpers } from '../routing/internal';
import { readMailSettings, type MailSettings } from './config';
import { MailerErrors } from './errors';
import type { DeliverLaterOptions, MessageDelivery } from './message';
import { appRootOf, mailerRegistry, mailersWithin, type MailerDecl } from './registry';
import { buildMessage, type RenderedMessage } from './render';
import { checkSerializable } from './serialize';
import { createTransport, type DeliveryInfo, type MailTransport } from './transports';
import { MailViews } from './views';

/** One app's mailers, composed at boot: settings, compiled templates, the transport. */
export interface MailRuntime {
  root: string;
  build: string;
  env: string;
  config: ConfigTree;
  settings: MailSettings;
  views: MailViews;
  transport: MailTransport;
  mailers: MailerDecl[];
}

/** By build folder: one process may hold several apps (tests do). */
const runtimes = new Map<string, MailRuntime>();

export interface BootMailersOptions {
  root: string;
  build: string;
  env: string;
  config: ConfigTree;
  routes: RouteDef[];
}

/**
 * Composes the mailers defined under `build`: reads config/mail.toml, compiles the templates, checks
 * every action has one (failing boot with STRYKE_E_MAILER_MISSING_TEMPLATE otherwise) and opens the
 * transport. Undefined when the app has no mailer.
 */
export function bootMailers(options: BootMailersOptions): MailRuntime | undefined {
  const mailers = mailersWithin(options.build);
  if (!mailers.length) return undefined;
  const settings = readMailSettings(options.config);
  const views = new MailViews(options.root, buildPathHelpers(options.routes, settings.defaultUrl), mailers);
  for (const decl of mailers) views.check(decl);
  const rt: MailRuntime = { ...options, settings, views, transport: createTransport(settings, options.root, options.env), mailers };
  runtimes.get(options.build)?.transport.close();
  runtimes.set(options.build, rt);
  return rt;
}

export function closeMailers(rt: MailRuntime): void {
  if (runtimes.get(rt.build) === rt) runtimes.delete(rt.build);
  rt.transport.close();
}

/**
 * The runtime of the app a mailer belongs to. A process that loaded the app's code without booting it
 * (`stryke jobs work`, a script) composes it here on first use, from the app's own config.
 */
export function runtimeOf(decl: MailerDecl): MailRuntime {
  for (const rt of runtimes.values()) if (decl.source.startsWith(rt.build)) return rt;
  const root = appRootOf(decl.source);
  if (!root) throw MailerErrors.NOT_BOOTED(decl.name);
  const build = join(root, 'build');
  // Loaded lazily: framework/app requires this concern at boot, not the other way round.
  const { appRoutes } = require('../app') as typeof import('../app');
  const rt = bootMailers({ root, build, env: currentEnv(), config: loadConfig(root, currentEnv()), routes: appRoutes(root, build).routes });
  if (!rt) throw MailerErrors.NOT_BOOTED(decl.name);
  return rt;
}

export function declOf(delivery: MessageDelivery): MailerDecl {
  const decl = mailerRegistry.mailers.get(delivery.mailer);
  if (!decl) throw MailerErrors.NOT_A_MAILER(delivery.mailer.name);
  return decl;
}

export async function build(delivery: MessageDelivery): Promise<RenderedMessage> {
  const decl = declOf(delivery);
  if (!delivery.action) throw MailerErrors.NOT_QUEUEABLE();
  const rt = runtimeOf(decl);
  return buildMessage(delivery, decl, rt.views, rt.settings.from);
}

export async function send(delivery: MessageDelivery): Promise<DeliveryInfo> {
  const decl = declOf(delivery);
  const message = await build(delivery);
  return runtimeOf(decl).transport.send(message);
}

export async function enqueue(delivery: MessageDelivery, options: DeliverLaterOptions): Promise<BullJob> {
  const decl = declOf(delivery);
  if (!delivery.action) throw MailerErrors.NOT_QUEUEABLE();
  checkSerializable(`${delivery.label}(...)`, delivery.args);
  const rt = runtimeOf(decl);
  const { MailDeliveryJob } = require('./delivery-job') as typeof import('./delivery-job');
  const { ensureJobs } = require('../jobs/internal') as typeof import('../jobs/internal');
  await ensureJobs(rt.root);
  const delay = options.waitUntil ? options.waitUntil.getTime() - Date.now() : options.wait;
  return MailDeliveryJob.enqueueWith({
    attempts: rt.settings.attempts,
    backoff: { type: 'exponential', delay: rt.settings.backoff },
    ...(delay !== undefined ? { delay: Math.max(delay, 0) } : {}),
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
  }, [decl.name, delivery.action, [...delivery.args]]);
}
