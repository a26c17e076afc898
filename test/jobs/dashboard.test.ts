import assert from 'node:assert/strict';
import { after, before, describe, it as test } from 'node:test';
import type { App } from 'stryke';
import { closeJobs, configureJobs, prepareJobs, queueFor, startJobWorkers, throughputSvg } from 'stryke/jobs';
import { bootFixture } from '../support/boot-fixture';
import { jobTarget, until, type JobTarget } from './targets';

const TOKEN = 'a-dashboard-token-for-tests';
const TITLE = '<script>alert("x")</script> & "co"';

/** The app's own SQLite database (config/jobs.toml), then the same pages over MySQL, PostgreSQL and Redis. */
const BACKENDS = ['app-sqlite', 'mysql', 'postgres', 'redis'] as const;

/** Points the booted app's queues at another backend (what config/jobs.toml would do at boot). */
async function moveQueuesTo(target: JobTarget): Promise<void> {
  const c = (target.opts as any).connection;
  const url = target.name === 'mysql' ? `mysql://root@127.0.0.1:${c.port}/${c.database}` : target.name === 'postgres' ? c.connectionString : 'redis://127.0.0.1:6379';
  await closeJobs();
  configureJobs({ url, queueOptions: target.name === 'redis' ? { prefix: (target.opts as any).prefix } : undefined });
  await prepareJobs();
}

for (const backend of BACKENDS) describe(`the job dashboard at /stryke/jobs (HTTP, ${backend})`, () => {
  let app: App;
  let failedId: string;
  let target: JobTarget | undefined;
  let skipped: string | undefined;
  /** A test that is skipped, saying why, when this backend's server is not reachable (outside CI). */
  const it = (name: string, fn: () => unknown) => test(name, async (t) => {
    if (skipped) t.skip(skipped);
    else await fn();
  });
  before(async () => {
    app = await bootFixture('jobs-dashboard');
    if (backend !== 'app-sqlite') {
      target = await jobTarget(backend, 'dash');
      if ((skipped = target.skip)) return;
      await moveQueuesTo(target);
    }
    const { ReportJob } = require('../boot-fixtures/jobs-dashboard/app/jobs/report_job');
    failedId = String((await ReportJob.performLater(TITLE, true)).id);
    await ReportJob.performLater('fine', false);
    const workers = startJobWorkers({ queues: ['reports'] });
    await until('the failing job to fail', async () => (await queueFor('reports').getJobState(failedId)) === 'failed', 30_000);
    await until('the other job to complete', async () => (await queueFor('reports').getJobCounts('completed')).completed === 1, 30_000);
    await workers.close();
  });
  after(async () => {
    await app?.close();
    await target?.cleanup();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.server.inject({ method: 'GET', url, headers });
  const bearer = { authorization: `Bearer ${TOKEN}` };

  it('refuses a request without the token or an admin, and a wrong token, without showing any job', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` }]) {
      const res = await get('/stryke/jobs/queues/reports?state=failed', headers);
      assert.equal(res.statusCode, 401);
      assert.match(String(res.headers['www-authenticate']), /^Basic realm="stryke jobs"/);
      assert.doesNotMatch(res.body, /Could not build report|ReportJob/);
      assert.match(res.body, /href="\/login"/); // admin rule: a sign-in link
    }
  });

  it('admits the bearer token and a Basic password equal to it', async () => {
    const res = await get('/stryke/jobs', bearer);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'; style-src 'self'/);
    assert.match(res.body, /href="\/stryke\/jobs\/queues\/reports"/);
    assert.match(res.body, /class="count failed" href="\/stryke\/jobs\/queues\/reports\?state=failed">1</);
    assert.match(res.body, /<svg class="chart"[^>]*>.*<rect class="bad"/s); // this minute has a failure
    assert.doesNotMatch(res.body, /<script/i);
    const basic = await get('/stryke/jobs', { authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}` });
    assert.equal(basic.statusCode, 200);
    const css = await get('/stryke/jobs/dashboard.css');
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /text\/css/);
  });

  it('admits a signed-in admin (the app\'s isAdmin), refuses another signed-in user with 403', async () => {
    const signIn = async (uid: number) => String((await app.server.inject({ method: 'POST', url: '/login', payload: { uid } })).headers['set-cookie']).split(';')[0]!;
    assert.equal((await get('/stryke/jobs', { cookie: await signIn(1) })).statusCode, 200);
    const other = await get('/stryke/jobs', { cookie: await signIn(2) });
    assert.equal(other.statusCode, 403);
    assert.match(other.body, /admins only/);
  });

  it('shows failed jobs with their data, error and stack, all escaped', async () => {
    const res = await get('/stryke/jobs/queues/reports?state=failed', bearer);
    assert.equal(res.statusCode, 200);
    assert.doesNotMatch(res.body, /<script>alert/);
    assert.match(res.body, /&lt;script&gt;alert\(\\&quot;x\\&quot;\)&lt;\/script&gt; &amp; \\&quot;co\\&quot;/); // the data, as JSON
    assert.match(res.body, /Could not build report &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &quot;co&quot;/); // the error
    assert.match(res.body, /<pre class="stack">Error: Could not build report [^<]*\n\s+at ReportJob\.perform/); // the stack
    const one = await get(`/stryke/jobs/queues/reports/jobs/${failedId}`, bearer);
    assert.equal(one.statusCode, 200);
    assert.match(one.body, /<span class="badge failed">failed<\/span>/);
    assert.equal((await get('/stryke/jobs/queues/nope', bearer)).statusCode, 404);
    assert.equal((await get('/stryke/jobs/queues/reports?state=bogus', bearer)).statusCode, 404);
    assert.equal((await get('/stryke/jobs/queues/reports/jobs/999999', bearer)).statusCode, 404);
  });

  it('retries and discards by POST only with the page\'s CSRF token and cookie, from this site', async () => {
    const page = await get('/stryke/jobs/queues/reports?state=failed', bearer);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    assert.match(String(page.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    const token = /name="authenticity_token" value="([^"]+)"/.exec(page.body)![1]!;
    const post = (url: string, headers: Record<string, string>, payload: string) => app.server.inject({ method: 'POST', url, headers: { ...bearer, 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload });
    const retry = `/stryke/jobs/queues/reports/jobs/${failedId}/retry`;

    assert.equal((await post(retry, {}, '')).statusCode, 422, 'no token');
    assert.equal((await post(retry, { cookie }, 'authenticity_token=forged')).statusCode, 422, 'a wrong token');
    assert.equal((await post(retry, {}, `authenticity_token=${token}`)).statusCode, 422, 'a token without its cookie');
    assert.equal((await post(retry, { cookie, origin: 'https://evil.example' }, `authenticity_token=${token}`)).statusCode, 422, 'another site');
    assert.equal((await app.server.inject({ method: 'POST', url: retry, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `authenticity_token=${token}` })).statusCode, 401, 'no credentials');
    assert.equal(await queueFor('reports').getJobState(failedId), 'failed');

    const ok = await post(retry, { cookie }, `authenticity_token=${encodeURIComponent(token)}`);
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/stryke/jobs/queues/reports?state=failed&notice=retried');
    assert.equal(await queueFor('reports').getJobState(failedId), 'waiting');
    assert.equal((await post(retry, { cookie }, `authenticity_token=${token}`)).statusCode, 404, 'a waiting job is not retried');

    const discard = await post(`/stryke/jobs/queues/reports/jobs/${failedId}/discard`, { cookie }, `authenticity_token=${token}`);
    assert.equal(discard.statusCode, 303);
    assert.equal(await queueFor('reports').getJob(failedId), undefined);
  });

  it('lists job schedulers (cron and every)', async () => {
    await queueFor('reports').upsertJobScheduler('nightly-<b>', { pattern: '0 3 * * *' }, { name: 'ReportJob', data: { args: ['nightly', false] } });
    await queueFor('reports').upsertJobScheduler('often', { every: 60_000 }, { name: 'ReportJob', data: { args: ['often', false] } });
    const res = await get('/stryke/jobs/schedulers', bearer);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<code>nightly-&lt;b&gt;<\/code>.*cron <code>0 3 \* \* \*<\/code>/s);
    assert.match(res.body, /<code>often<\/code>.*every 60000 ms/s);
  });

  it('draws throughput as bars scaled to the busiest minute', () => {
    const svg = throughputSvg({ start: Date.UTC(2026, 0, 1, 12, 0), completed: [0, 4, 0], failed: [0, 1, 2] });
    assert.equal((svg.match(/<rect class="ok"/g) ?? []).length, 1);
    assert.equal((svg.match(/<rect class="bad"/g) ?? []).length, 2);
    assert.match(svg, /<title>12:01 UTC: 4 completed<\/title>/);
  });
});
