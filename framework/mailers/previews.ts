import type { FastifyInstance, FastifyReply } from 'fastify';
import { MailerErrors } from './errors';
import { MessageDelivery } from './message';
import { previewsWithin, type PreviewDecl } from './registry';
import { build } from './runtime';
import { errorPage, indexPage, messagePage } from './preview-pages';

/** The pages' own policy: their inline styles, the HTML part framed from here only. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";
/** A message's HTML part runs sandboxed: no script, no forms, images from anywhere (as a mail client shows them). */
const PART_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src * data: cid:; font-src *; frame-ancestors 'self'";

function html(reply: FastifyReply, body: string, status = 200) {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_CSP)
    .header('x-frame-options', 'DENY').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(body);
}

/**
 * Mounts the mailer previews at /stryke/mailers (development only: bootMailers never calls this in
 * production). Only the methods a `@Preview` class declares can be reached; each renders its message
 * afresh on every request, so an edited template shows on reload.
 */
export function mountPreviews(server: FastifyInstance, build_: string, env: string): void {
  const find = (slug: string, method: string): PreviewDecl => {
    const decl = previewsWithin(build_).find((p) => p.slug === slug);
    if (!decl || !decl.methods.includes(method)) throw MailerErrors.UNKNOWN_PREVIEW(`${slug}/${method}`);
    return decl;
  };
  const render = async (slug: string, method: string) => {
    const decl = find(slug, method);
    const instance = new (decl.target as new () => Record<string, () => unknown>)();
    const delivery = await instance[method]!();
    if (!(delivery instanceof MessageDelivery)) throw MailerErrors.NO_MESSAGE(`${decl.target.name}#${method} (a preview)`);
    return { decl, message: await build(delivery) };
  };
  const fail = (reply: FastifyReply, title: string, err: Error) => html(reply, errorPage(title, err, env), (err as { status?: number }).status === 404 ? 404 : 500);

  server.get('/stryke/mailers', async (_req, reply) => {
    const listing = previewsWithin(build_).map((p) => ({ slug: p.slug, className: p.target.name, methods: p.methods }));
    return html(reply, indexPage(listing, env));
  });
  server.get<{ Params: { slug: string; method: string }; Querystring: { part?: string } }>('/stryke/mailers/:slug/:method', async (req, reply) => {
    const { slug, method } = req.params;
    try {
      const { decl, message } = await render(slug, method);
      const part = req.query.part === 'text' || (req.query.part !== 'html' && message.html === undefined) ? 'text' : 'html';
      return html(reply, messagePage(slug, decl.target.name, method, message, part, env));
    } catch (err) {
      return fail(reply, `${slug}/${method}`, err as Error);
    }
  });
  server.get<{ Params: { slug: string; method: string; part: string } }>('/stryke/mailers/:slug/:method/:part', async (req, reply) => {
    const { slug, method, part } = req.params;
    try {
      if (part !== 'html' && part !== 'text') throw MailerErrors.UNKNOWN_PREVIEW(`${slug}/${method}/${part}`);
      const { message } = await render(slug, method);
      const body = part === 'html' ? message.html : message.text;
      if (body === undefined) return reply.code(404).type('text/plain; charset=utf-8').send(`This message has no ${part} part.`);
      return reply.header('content-type', part === 'html' ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8')
        .header('content-security-policy', PART_CSP).header('x-frame-options', 'SAMEORIGIN').header('cache-control', 'no-store').send(body);
    } catch (err) {
      return fail(reply, `${slug}/${method}`, err as Error);
    }
  });
}
