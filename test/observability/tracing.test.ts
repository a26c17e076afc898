import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { context, trace, type Context, type Span, type SpanContext, type SpanKind, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { App } from 'stryke';
import { startJobWorkers, stopJobs, type WorkerSet } from 'stryke/jobs';
import { boot } from './support';

/** A span as the in-memory provider records it. */
interface Recorded {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  ended: boolean;
  status?: number;
}

/**
 * The smallest TracerProvider the API accepts: spans are recorded in memory (the test's exporter). The SDK
 * (@opentelemetry/sdk-trace-base) is not a dependency; an app registers it the same way.
 */
class MemoryProvider implements TracerProvider {
  readonly spans: Recorded[] = [];
  getTracer(): Tracer {
    const spans = this.spans;
    // As the SDK's tracer: with no context given, the parent is the active one (the registered context manager's).
    const start = (name: string, options: { kind?: SpanKind; attributes?: Record<string, unknown> } = {}, ctx: Context = context.active()): Span => {
      const parent = trace.getSpanContext(ctx);
      const rec: Recorded = {
        name, kind: options.kind ?? 0, traceId: parent?.traceId ?? randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'),
        parentSpanId: parent?.spanId, attributes: { ...(options.attributes ?? {}) }, ended: false,
      };
      spans.push(rec);
      const sc: SpanContext = { traceId: rec.traceId, spanId: rec.spanId, traceFlags: 1 };
      const span: Span = {
        spanContext: () => sc,
        setAttribute: (k, v) => ((rec.attributes[k] = v), span),
        setAttributes: (a) => (Object.assign(rec.attributes, a), span),
        addEvent: () => span,
        addLink: () => span,
        addLinks: () => span,
        setStatus: (s) => ((rec.status = s.code), span),
        updateName: (n) => ((rec.name = n), span),
        end: () => void (rec.ended = true),
        isRecording: () => !rec.ended,
        recordException: () => undefined,
      };
      return span;
    };
    return {
      startSpan: start,
      // As the SDK's: the span is the active one while `fn` runs (through the registered context manager).
      startActiveSpan: ((name: string, ...rest: any[]) => {
        const span = start(name);
        return context.with(trace.setSpan(context.active(), span), rest[rest.length - 1], undefined, span);
      }) as Tracer['startActiveSpan'],
    };
  }
}

const provider = new MemoryProvider();

describe('tracing: spans of a request, its SQL and the job it enqueues', () => {
  let app: App;
  let workers: WorkerSet | undefined;
  let base = '';

  before(async () => {
    // Registered before boot: the framework asks once, at boot, whether a provider is there.
    assert.equal(trace.setGlobalTracerProvider(provider), true);
    app = await boot([], 'warn');
    base = (await app.listen(0, '127.0.0.1')).replace('localhost', '127.0.0.1');
  });
  after(async () => {
    await workers?.close();
    await stopJobs();
    await app?.close();
    trace.disable();
  });

  it('nests action, SQL and enqueue under the server span, and the job\'s spans join the same trace', async () => {
    assert.equal((await fetch(`${base}/notes/7`)).status, 200);
    assert.equal((await fetch(`${base}/notes/8/later?text=traced`)).status, 200);
    workers = startJobWorkers({ queues: ['notes'] });
    const find = (pred: (s: Recorded) => boolean) => provider.spans.find(pred);
    const deadline = Date.now() + 30_000;
    while (!find((s) => s.name === 'NoteJob process' && s.ended) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const show = find((s) => s.name === 'GET /notes/:id')!;
    assert.ok(show, 'the server span is named by the route pattern');
    assert.equal(show.kind, 1 /* SERVER */);
    assert.equal(show.attributes['http.route'], '/notes/:id');
    assert.equal(show.attributes['http.response.status_code'], 200);
    assert.ok(show.ended);
    const showAction = find((s) => s.name === 'NotesController#show')!;
    assert.equal(showAction.parentSpanId, show.spanId);
    const select = find((s) => s.attributes['db.query.text'] === 'SELECT ? AS id')!;
    assert.equal(select.parentSpanId, showAction.spanId, 'the statement is the action\'s child');
    assert.equal(select.kind, 2 /* CLIENT */);
    assert.equal(select.attributes['db.system'], 'sqlite');

    const later = find((s) => s.name === 'GET /notes/:id/later')!;
    const laterAction = find((s) => s.name === 'NotesController#later')!;
    assert.equal(laterAction.parentSpanId, later.spanId);
    const publish = find((s) => s.name === 'NoteJob publish')!;
    assert.equal(publish.parentSpanId, laterAction.spanId);
    assert.equal(publish.traceId, later.traceId);
    const perform = find((s) => s.name === 'NoteJob process')!;
    assert.ok(perform, 'the job was performed');
    assert.equal(perform.traceId, later.traceId, 'the job joins the request\'s trace');
    assert.equal(perform.parentSpanId, publish.spanId, 'through the enqueue span carried in its data');
    assert.equal(perform.kind, 4 /* CONSUMER */);
    const jobSql = find((s) => s.attributes['db.query.text'] === 'SELECT 1 AS one')!;
    assert.equal(jobSql.parentSpanId, perform.spanId, 'the job\'s SQL is the perform span\'s child');
    assert.notEqual(show.traceId, later.traceId, 'separate requests are separate traces');
  });

  it('gives a request no route matched a server span of its own', async () => {
    assert.equal((await fetch(`${base}/no/such/page`)).status, 404);
    const span = provider.spans.find((s) => s.attributes['url.path'] === '/no/such/page')!;
    assert.ok(span, 'a span for the unmatched request');
    assert.equal(span.name, 'GET (unmatched)');
    assert.equal(span.kind, 1 /* SERVER */);
    assert.equal(span.attributes['http.response.status_code'], 404);
    assert.equal(span.parentSpanId, undefined);
    assert.ok(span.ended);
  });

  it('nests the app\'s own spans under the action (the framework registered its context manager), and their SQL under them', async () => {
    const res = await fetch(`${base}/notes/5/own-span`, { headers: { 'x-request-id': 'own-span-req' } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { own: 5 });
    const server = provider.spans.find((s) => s.name === 'GET /notes/:id/own-span')!;
    assert.ok(server?.ended);
    assert.equal(server.attributes['stryke.request_id'], 'own-span-req');
    const action = provider.spans.find((s) => s.name === 'NotesController#ownSpan')!;
    assert.equal(action.parentSpanId, server.spanId);
    const own = provider.spans.find((s) => s.name === 'app work')!;
    assert.equal(own.parentSpanId, action.spanId, 'the app\'s span is the action\'s child');
    assert.equal(own.traceId, server.traceId);
    const sql = provider.spans.find((s) => s.attributes['db.query.text'] === 'SELECT ? AS own')!;
    assert.equal(sql.parentSpanId, own.spanId, 'a statement inside the app\'s span is its child');
    // Outside any request the active context is the root one.
    assert.equal(trace.getSpan(context.active()), undefined);
  });
});
