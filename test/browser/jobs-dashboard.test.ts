import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { App } from 'stryke';
import { queueFor, startJobWorkers } from 'stryke/jobs';
import { bootFixture } from '../support/boot-fixture';
import { until } from '../jobs/targets';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`;
const TOKEN = 'a-dashboard-token-for-tests';

describe('the job dashboard in a real browser', { skip }, () => {
  let app: App;
  let base: string;
  let failedId: string;
  let browser: import('playwright-core').Browser;
  before(async () => {
    app = await bootFixture('jobs-dashboard');
    const { ReportJob } = require('../boot-fixtures/jobs-dashboard/app/jobs/report_job');
    failedId = String((await ReportJob.performLater('<img src=x onerror=alert(1)> Q3', true)).id);
    for (const t of ['Q1', 'Q2']) await ReportJob.performLater(t, false);
    const workers = startJobWorkers({ queues: ['reports'] });
    await until('the failing job to fail', async () => (await queueFor('reports').getJobState(failedId)) === 'failed', 30_000);
    await until('the others to complete', async () => (await queueFor('reports').getJobCounts('completed')).completed === 2, 30_000);
    await workers.close();
    base = await app.listen(0, '127.0.0.1');
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('asks for credentials, then shows the queues, a failed job with its error, and retries it', async () => {
    const refused = await fetch(`${base}/stryke/jobs`);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic/); // what makes a browser ask

    const context = await browser.newContext({ viewport: { width: 1200, height: 860 }, httpCredentials: { username: 'ops', password: TOKEN } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => { problems.push(`a dialog: ${d.message()}`); void d.dismiss(); });

    await page.goto(`${base}/stryke/jobs`);
    assert.equal(await page.textContent('h1'), 'Queues');
    // The stylesheet applied under the page's CSP: the header bar is dark, the chart drawn.
    assert.equal(await page.$eval('header.bar', (el) => (globalThis as any).getComputedStyle(el).backgroundColor), 'rgb(17, 24, 39)');
    assert.ok(await page.$('svg.chart rect.ok'));
    if (process.env.STRYKE_SCREENSHOTS) await page.screenshot({ path: `${process.env.STRYKE_SCREENSHOTS}/jobs-overview.png`, fullPage: true });

    await page.click('a.count.failed[href="/stryke/jobs/queues/reports?state=failed"]');
    const job = page.locator('article.job.failed');
    assert.equal(await job.count(), 1);
    assert.match(await job.locator('.error').textContent() ?? '', /Could not build report <img src=x onerror=alert\(1\)> Q3/);
    assert.equal(await page.$('main img'), null, 'job data is text, never markup');
    await job.locator('summary').click();
    assert.match(await job.locator('pre.stack').textContent() ?? '', /at ReportJob\.perform/);
    if (process.env.STRYKE_SCREENSHOTS) await page.screenshot({ path: `${process.env.STRYKE_SCREENSHOTS}/jobs-failed.png`, fullPage: true });

    await job.locator('a.id').click();
    assert.equal(await page.textContent('h1 .badge'), 'failed');
    assert.match(await page.textContent('pre.stack') ?? '', /at ReportJob\.perform/);
    if (process.env.STRYKE_SCREENSHOTS) await page.screenshot({ path: `${process.env.STRYKE_SCREENSHOTS}/jobs-job.png`, fullPage: true });
    await page.goBack();

    await job.locator('button.retry').click();
    await page.waitForSelector('p.notice');
    assert.equal(await page.textContent('p.notice'), 'The job was put back to run again.');
    assert.equal(await page.locator('article.job').count(), 0);
    if (process.env.STRYKE_SCREENSHOTS) await page.screenshot({ path: `${process.env.STRYKE_SCREENSHOTS}/jobs-retried.png`, fullPage: true });
    assert.equal(await queueFor('reports').getJobState(failedId), 'waiting');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
