import type { JobType } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StrykeError } from '../../support';
import { JobsErrors } from '../errors';
import { admit, DashboardCsrf, type DashboardAccess } from './access';
import { throughputSvg } from './chart';
import { jobsIn, oneJob, PAGE_SIZE, queueCounts, schedulers, STATES, throughput } from './data';
import { DASHBOARD_CSS } from './styles';
// The templates (and Handlebars' compiler with them) load on the dashboard's first page, not with the jobs layer.
import type * as Templates from './templates';

export const DASHBOARD_PATH = '/stryke/jobs';
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const NOTICES: Record<string, string> = { retried: 'The job was put back to run again.', discarded: 'The job was discarded.' };

export interface DashboardOptions extends DashboardAccess {
  env: string;
  /** The queues the app knows (config/jobs.toml `queues`, its @Job classes, default): only these are shown. */
  queues(): string[];
}

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

/**
 * Mounts the job dashboard at /stryke/jobs on the app's server: every route admits the token or an admin
 * first (createApp mounts it only when `[dashboard] enabled = true`); retry and discard are POSTs that need
 * the dashboard's CSRF token. The web face of `stryke jobs`, over the same BullMQ queues.
 */
export function mountJobsDashboard(server: FastifyInstance, options: DashboardOptions): void {
  // Compiled on the dashboard's first page, not at boot: most processes never show one, and compiling loads
  // Handlebars' compiler (with source-map, about 30 modules).
  let compiled: Templates.DashboardViews | undefined;
  const views: Templates.DashboardViews = { page: (name, context) => (compiled ??= (require('./templates') as typeof Templates).compileViews()).page(name, context) };
  const csrf = new DashboardCsrf(options);
  const base = DASHBOARD_PATH;

  const send = (reply: FastifyReply, body: string, status = 200) => reply.code(status)
    .header('content-type', 'text/html; charset=utf-8').header('content-security-policy', CSP).header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff').header('cache-control', 'no-store').header('referrer-policy', 'same-origin').send(body);

  const fail = (reply: FastifyReply, err: unknown) => {
    const coded = err instanceof StrykeError && err.status < 500 ? err : undefined;
    if (!coded) server.log?.error?.(err);
    const status = coded?.status ?? 500;
    if (status === 401 && options.config.token !== undefined) reply.header('www-authenticate', 'Basic realm="stryke jobs", charset="UTF-8"');
    const heading = status === 401 ? 'Sign in to see the jobs' : status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : status === 422 ? 'Please try again' : 'Something went wrong';
    const message = coded?.message ?? (options.env === 'production' ? 'The dashboard could not read the queues; the server log has the details.' : String((err as Error)?.message ?? err));
    const signIn = status === 401 && options.config.admin !== undefined ? options.signInPath : undefined;
    return send(reply, views.page('error', { title: heading, heading, message, signIn, base, env: options.env }), status);
  };

  const page = (handler: (req: Req, reply: FastifyReply) => Promise<string | void>) => async (req: Req, reply: FastifyReply) => {
    try {
      await admit(options, req);
      const html = await handler(req, reply);
      if (typeof html === 'string') return send(reply, html);
      return reply;
    } catch (err) {
      return fail(reply, err);
    }
  };

  const queueOf = (name: string | undefined): string => {
    if (!name || !options.queues().includes(name)) throw JobsErrors.DASHBOARD_UNKNOWN(`queue "${String(name).slice(0, 100)}"`);
    return name;
  };
  const common = (req: Req, extra: Record<string, unknown>) => ({ base, env: options.env, notice: NOTICES[req.query.notice ?? ''], ...extra });

  server.get(`${base}/dashboard.css`, (_req, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(DASHBOARD_CSS));

  server.get(base, page(async (req) => {
    const queues = options.queues();
    const counts = await queueCounts(queues);
    const series = await throughput(queues);
    return views.page('overview', common(req, {
      title: 'Queues', onOverview: true, states: STATES, sampled: series.sampled, chart: throughputSvg(series),
      queues: counts.map((q) => ({ name: q.name, cells: STATES.map((s) => ({ state: s, count: q.counts[s] ?? 0 })) })),
    }));
  }));

  server.get(`${base}/schedulers`, page(async (req) => views.page('schedulers', common(req, { title: 'Schedulers', onSchedulers: true, schedulers: await schedulers(options.queues()) }))));

  server.get(`${base}/queues/:queue`, page(async (req, reply) => {
    const queue = queueOf(req.params.queue);
    const state = (req.query.state ?? 'failed') as JobType;
    if (!STATES.includes(state)) throw JobsErrors.DASHBOARD_UNKNOWN(`state "${String(state).slice(0, 40)}" (one of ${STATES.join(', ')})`);
    const pageNo = Math.min(Math.max(Number.parseInt(req.query.page ?? '1', 10) || 1, 1), 10_000);
    const { counts } = (await queueCounts([queue]))[0]!;
    const jobs = await jobsIn(queue, state, pageNo);
    return views.page('queue', common(req, {
      title: queue, queue, state, jobs, csrf: csrf.tokenFor(req, reply),
      tabs: STATES.map((s) => ({ state: s, count: counts[s] ?? 0, current: s === state })),
      prev: pageNo > 1 ? pageNo - 1 : undefined, next: (counts[state] ?? 0) > pageNo * PAGE_SIZE ? pageNo + 1 : undefined,
    }));
  }));

  server.get(`${base}/queues/:queue/jobs/:id`, page(async (req, reply) => {
    const queue = queueOf(req.params.queue);
    const found = await oneJob(queue, String(req.params.id).slice(0, 200));
    if (!found) throw JobsErrors.DASHBOARD_UNKNOWN(`job ${String(req.params.id).slice(0, 100)} in queue "${queue}"`);
    return views.page('job', common(req, { title: `${found.view.name} #${found.view.id}`, queue, job: found.view, csrf: csrf.tokenFor(req, reply) }));
  }));

  for (const verb of ['retry', 'discard'] as const) {
    server.post(`${base}/queues/:queue/jobs/:id/${verb}`, page(async (req, reply) => {
      csrf.verify(req);
      const queue = queueOf(req.params.queue);
      const found = await oneJob(queue, String(req.params.id).slice(0, 200));
      if (!found) throw JobsErrors.DASHBOARD_UNKNOWN(`job ${String(req.params.id).slice(0, 100)} in queue "${queue}"`);
      const state = found.view.state;
      if (verb === 'retry' && !found.view.retryable) throw JobsErrors.DASHBOARD_UNKNOWN(`failed or completed job ${found.view.id} to retry in queue "${queue}" (it is ${state})`);
      if (verb === 'retry') await found.job.retry(state === 'completed' ? 'completed' : 'failed');
      else await found.job.remove();
      const back = `${base}/queues/${encodeURIComponent(queue)}?state=${state}&notice=${verb === 'retry' ? 'retried' : 'discarded'}`;
      reply.code(303).header('location', back).header('cache-control', 'no-store').send();
    }));
  }
}
