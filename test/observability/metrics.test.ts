import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { startJobWorkers, stopJobs, type WorkerSet } from 'stryke/jobs';
import { BUILD, boot } from './support';
import { ObservabilityErrors } from 'stryke/observability';
// config/server.toml's [metrics] reader is the framework's (the primary and the app's boot), not the subpath's.
import { metricsSettings } from '../../framework/observability/internal';

async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The value of one series in a Prometheus text scrape (undefined when absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics: /metrics on its own port after requests and jobs', () => {
  let app: App;
  let workers: WorkerSet | undefined;
  const lines: string[] = [];
  let base = '';
  let metricsUrl = '';

  before(async () => {
    app = await boot(lines);
    base = (await app.listen(0, '127.0.0.1')).replace('localhost', '127.0.0.1');
    metricsUrl = app.observability.address()!;
    assert.ok(metricsUrl, 'the metrics listener is up');
  });
  after(async () => {
    await workers?.close();
    await stopJobs();
    await app?.close();
  });

  it('counts requests by route pattern, 404s under one label, SQL, jobs and the process; logs carry the request id into jobs', async () => {
    assert.notEqual(new URL(metricsUrl).port, new URL(base).port, 'metrics are not on the app listener');
    for (const id of [1, 2]) assert.equal((await fetch(`${base}/notes/${id}`, { headers: { 'x-request-id': `show-${id}` } })).status, 200);
    assert.equal((await fetch(`${base}/notes/1`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${base}/no/such/page-x91`)).status, 404);
    assert.equal((await fetch(`${base}/another-missing-y42`)).status, 404);
    assert.equal((await fetch(`${base}/notes/3/later?text=hi`, { headers: { 'x-request-id': 'later-ok' } })).status, 200);
    assert.equal((await fetch(`${base}/notes/4/later?text=boom`, { headers: { 'x-request-id': 'later-boom' } })).status, 200);
    assert.equal((await fetch(`${base}/metrics`)).status, 404, 'the app port does not serve metrics');

    workers = startJobWorkers({ queues: ['notes'] });
    const { performed } = require(join(BUILD, 'app', 'jobs', 'note_job.js')) as { performed: string[] };
    let text = '';
    await until(() => performed.includes('hi'));
    await until(() => lines.some((l) => l.includes('the note job failed on purpose') || l.includes('"text":"boom"')));
    // The failure is recorded after perform throws: scrape until it shows.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await fetch(metricsUrl);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /text\/plain/);
      text = await res.text();
      if (sample(text, 'stryke_jobs_performed_total{queue="notes",job="NoteJob",outcome="failed"}') === 1 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    assert.equal(sample(text, 'stryke_http_request_duration_seconds_count{method="GET",route="/notes/:id"}'), 2);
    assert.equal(sample(text, 'stryke_http_responses_total{method="GET",route="/notes/:id",status="200"}'), 2);
    // The histogram as Prometheus reads one: cumulative buckets up to +Inf, a sum and a count, per route.
    assert.equal(sample(text, 'stryke_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/notes/:id"}'), 2);
    assert.equal(sample(text, 'stryke_http_request_duration_seconds_bucket{le="10",method="GET",route="/notes/:id"}'), 2);
    const buckets = text.split('\n').filter((l) => l.startsWith('stryke_http_request_duration_seconds_bucket{') && l.includes('method="GET",route="/notes/:id"}')).map((l) => Number(l.split(' ').pop()));
    assert.equal(buckets.length, 14, 'thirteen bounds and +Inf');
    assert.ok(buckets.every((n, i) => i === 0 || n >= buckets[i - 1]!), `cumulative: ${buckets}`);
    assert.ok(sample(text, 'stryke_http_request_duration_seconds_sum{method="GET",route="/notes/:id"}')! > 0);
    assert.match(text, /^# TYPE stryke_http_request_duration_seconds histogram$/m);
    assert.match(text, /^# TYPE stryke_http_responses_total counter$/m);
    // fastify's HEAD route beside each GET has its own series, each request counted once.
    assert.equal(sample(text, 'stryke_http_request_duration_seconds_count{method="HEAD",route="/notes/:id"}'), 1);
    assert.equal(sample(text, 'stryke_http_responses_total{method="HEAD",route="/notes/:id",status="200"}'), 1);
    assert.equal(sample(text, 'stryke_http_request_duration_seconds_count{method="POST",route="/notes/:id"}'), undefined, 'no series for a method nobody asked');
    assert.equal(sample(text, 'stryke_http_responses_total{method="GET",route="(unmatched)",status="404"}'), 3, 'two missing pages and the /metrics probe on the app port');
    assert.equal(sample(text, 'stryke_http_responses_total{method="GET",route="/notes/:id/later",status="200"}'), 2);
    assert.doesNotMatch(text, /page-x91|missing-y42/, 'a requested URL never becomes a label');
    assert.ok(sample(text, 'stryke_sql_statement_duration_seconds_count{statement="SELECT"}')! >= 3);
    assert.equal(sample(text, 'stryke_jobs_enqueued_total{queue="notes",job="NoteJob"}'), 2);
    assert.equal(sample(text, 'stryke_jobs_performed_total{queue="notes",job="NoteJob",outcome="completed"}'), 1);
    assert.equal(sample(text, 'stryke_jobs_performed_total{queue="notes",job="NoteJob",outcome="failed"}'), 1);
    assert.equal(sample(text, 'stryke_job_duration_seconds_count{queue="notes",job="NoteJob"}'), 2);
    assert.equal(sample(text, 'stryke_job_wait_seconds_count{queue="notes",job="NoteJob"}'), 2);
    assert.equal(sample(text, 'stryke_job_queue_depth{queue="notes",state="failed"}'), 1);
    assert.equal(sample(text, 'stryke_job_queue_depth{queue="notes",state="waiting"}'), 0);
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'process_resident_memory_bytes']) {
      assert.ok(sample(text, name)! > 0 || sample(text, name) === 0, `${name} is scraped`);
    }
    assert.match(text, /^nodejs_gc_duration_seconds/m);

    const json = lines.map((l) => JSON.parse(l) as Record<string, any>);
    // Every line of a request carries its id: the app's own line, its SQL at debug level, and the request line.
    const shown = json.filter((o) => o.reqId === 'show-1');
    assert.ok(shown.some((o) => o.msg === 'note shown'), 'the controller\'s line has the request id');
    assert.ok(shown.some((o) => o.msg === 'sql' && /SELECT \? AS id/.test(o.sql)), 'the SQL line has the request id');
    assert.ok(shown.some((o) => o.msg === 'request'));
    // A job's lines carry the id of the request that enqueued it.
    assert.ok(json.some((o) => o.msg === 'performing note job' && o.text === 'hi' && o.reqId === 'later-ok'));
    assert.ok(json.some((o) => o.msg === 'performing note job' && o.text === 'boom' && o.reqId === 'later-boom'));
    assert.ok(json.some((o) => o.msg === 'sql' && o.sql === 'SELECT 1 AS one' && o.reqId === 'later-ok'), 'the job\'s SQL line too');
    for (const o of json) assert.ok(!Object.prototype.hasOwnProperty.call(o, 'reqId') || typeof o.reqId === 'string');
  });
});

describe('metrics: the port and token rule', () => {
  it('is off by default, loopback by default, and refuses a public host without a token', () => {
    assert.equal(metricsSettings({}).enabled, false);
    assert.equal(metricsSettings({ metrics: { enabled: true } }).host, '127.0.0.1');
    assert.equal(metricsSettings({ metrics: { enabled: true } }).port, 9394);
    assert.throws(() => metricsSettings({ metrics: { enabled: true, host: '0.0.0.0' } }), (e: any) => e.code === ObservabilityErrors.METRICS_EXPOSED.code);
    assert.throws(() => metricsSettings({ metrics: { enabled: true, token: 'short' } }), (e: any) => e.code === ObservabilityErrors.BAD_CONFIG.code);
    assert.throws(() => metricsSettings({ metrics: { enabled: true, port: 'x' } }), (e: any) => e.code === ObservabilityErrors.BAD_CONFIG.code);
    assert.equal(metricsSettings({ metrics: { enabled: true, host: '0.0.0.0', token: 't'.repeat(32) } }).host, '0.0.0.0');
  });

  it('answers 401 without the token and the metrics with it', async () => {
    const token = 'a-metrics-token-0123456789';
    process.env.STRYKE_SERVER__METRICS__TOKEN = token;
    const lines: string[] = [];
    let app: App | undefined;
    try {
      app = await boot(lines, 'warn');
      await app.listen(0, '127.0.0.1');
      const url = app.observability.address()!;
      assert.equal((await fetch(url)).status, 401);
      assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /process_resident_memory_bytes/);
      assert.equal((await fetch(url.replace('/metrics', '/other'), { headers: { authorization: `Bearer ${token}` } })).status, 404);
    } finally {
      delete process.env.STRYKE_SERVER__METRICS__TOKEN;
      await stopJobs();
      await app?.close();
    }
  });
});
