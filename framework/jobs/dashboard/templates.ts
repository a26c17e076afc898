import Handlebars from 'handlebars';

/**
 * The dashboard's pages: Handlebars templates (every value escaped by `{{ }}`; `{{{ }}}` only for the body
 * these templates rendered and the chart the server drew), compiled once when the dashboard is mounted.
 */
const LAYOUT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · Jobs</title><link rel="icon" href="data:,"><link rel="stylesheet" href="{{base}}/dashboard.css"></head>
<body><header class="bar"><a class="brand" href="{{base}}"><span class="logo"></span>Jobs</a>
<nav><a href="{{base}}"{{#if onOverview}} class="here"{{/if}}>Queues</a><a href="{{base}}/schedulers"{{#if onSchedulers}} class="here"{{/if}}>Schedulers</a></nav>
<span class="env">{{env}}</span></header>
<main>{{#if notice}}<p class="notice">{{notice}}</p>{{/if}}{{{body}}}</main></body></html>`;

const OVERVIEW = `<h1>Queues</h1>
<table class="grid-table"><thead><tr><th>Queue</th>{{#each states}}<th class="num">{{this}}</th>{{/each}}</tr></thead><tbody>
{{#each queues}}<tr><td><a href="{{../base}}/queues/{{name}}">{{name}}</a></td>{{#each cells}}<td class="num">{{#if count}}<a class="count {{state}}" href="{{../../base}}/queues/{{../name}}?state={{state}}">{{count}}</a>{{else}}<span class="zero">0</span>{{/if}}</td>{{/each}}</tr>
{{/each}}</tbody></table>
<section class="card"><h2>Throughput <small>jobs finished per minute, last hour</small></h2>{{{chart}}}
<p class="legend"><span class="key ok"></span>completed <span class="key bad"></span>failed · from the {{sampled}} finished jobs the queues keep</p></section>`;

const QUEUE = `<div class="crumbs"><a href="{{base}}">Queues</a> / {{queue}}</div><h1>{{queue}}</h1>
<nav class="tabs">{{#each tabs}}<a href="{{../base}}/queues/{{../queue}}?state={{state}}"{{#if current}} class="here"{{/if}}>{{state}} <span>{{count}}</span></a>{{/each}}</nav>
{{#if jobs.length}}<div class="jobs">{{#each jobs}}
<article class="job {{state}}"><header><a href="{{../base}}/queues/{{../queue}}/jobs/{{id}}" class="id">#{{id}}</a> <strong>{{name}}</strong>
<span class="meta">created {{created}}{{#if finished}} · finished {{finished}}{{/if}}{{#if delayUntil}} · runs at {{delayUntil}}{{/if}} · attempts {{attempts}}</span>
{{> actions job=this base=../base queue=../queue csrf=../csrf}}</header>
{{#if error}}<p class="error">{{error}}</p>{{/if}}
<details><summary>data{{#if stack}} and stack{{/if}}</summary><pre>{{data}}</pre>{{#if stack}}<pre class="stack">{{stack}}</pre>{{/if}}</details></article>
{{/each}}</div>
<nav class="pages">{{#if prev}}<a href="{{base}}/queues/{{queue}}?state={{state}}&amp;page={{prev}}">← newer</a>{{/if}}{{#if next}}<a href="{{base}}/queues/{{queue}}?state={{state}}&amp;page={{next}}">older →</a>{{/if}}</nav>
{{else}}<p class="empty">No {{state}} jobs in {{queue}}.</p>{{/if}}`;

const ACTIONS = `<span class="actions">{{#if job.retryable}}<form method="post" action="{{base}}/queues/{{queue}}/jobs/{{job.id}}/retry"><input type="hidden" name="authenticity_token" value="{{csrf}}"><button class="retry">Retry</button></form>{{/if}}
{{#unless (eq job.state "active")}}<form method="post" action="{{base}}/queues/{{queue}}/jobs/{{job.id}}/discard"><input type="hidden" name="authenticity_token" value="{{csrf}}"><button class="discard">Discard</button></form>{{/unless}}</span>`;

const JOB = `<div class="crumbs"><a href="{{base}}">Queues</a> / <a href="{{base}}/queues/{{queue}}?state={{job.state}}">{{queue}}</a> / #{{job.id}}</div>
<h1>{{job.name}} <span class="badge {{job.state}}">{{job.state}}</span></h1>{{> actions job=job base=base queue=queue csrf=csrf}}
<dl class="facts"><dt>Id</dt><dd>{{job.id}}</dd><dt>Created</dt><dd>{{job.created}}</dd>{{#if job.processed}}<dt>Started</dt><dd>{{job.processed}}</dd>{{/if}}
{{#if job.finished}}<dt>Finished</dt><dd>{{job.finished}}</dd>{{/if}}{{#if job.delayUntil}}<dt>Runs at</dt><dd>{{job.delayUntil}}</dd>{{/if}}<dt>Attempts</dt><dd>{{job.attempts}}</dd></dl>
{{#if job.error}}<h2>Error</h2><p class="error">{{job.error}}</p>{{/if}}
{{#if job.stack}}<h2>Stack</h2><pre class="stack">{{job.stack}}</pre>{{/if}}
<h2>Data{{#if job.dataTruncated}} <small>(truncated)</small>{{/if}}</h2><pre>{{job.data}}</pre>
{{#if job.returnValue}}<h2>Return value</h2><pre>{{job.returnValue}}</pre>{{/if}}`;

const SCHEDULERS = `<h1>Schedulers</h1>
{{#if schedulers.length}}<table class="grid-table"><thead><tr><th>Queue</th><th>Key</th><th>Job</th><th>Repeats</th><th>Next run</th></tr></thead><tbody>
{{#each schedulers}}<tr><td><a href="{{../base}}/queues/{{queue}}">{{queue}}</a></td><td><code>{{key}}</code></td><td>{{name}}</td><td>{{#if pattern}}cron <code>{{pattern}}</code>{{#if tz}} ({{tz}}){{/if}}{{else}}every {{every}}{{/if}}</td><td>{{next}}</td></tr>{{/each}}
</tbody></table>{{else}}<p class="empty">No job schedulers. Add one with <code>queue.upsertJobScheduler(key, { pattern: '0 * * * *' }, template)</code> (docs/jobs.md).</p>{{/if}}`;

const ERROR = `<h1>{{heading}}</h1><p class="lead">{{message}}</p>{{#if signIn}}<p><a class="button" href="{{signIn}}">Sign in</a></p>{{/if}}`;

export interface DashboardViews {
  page(name: 'overview' | 'queue' | 'job' | 'schedulers' | 'error', context: Record<string, unknown>): string;
}

export function compileViews(): DashboardViews {
  const hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerPartial('actions', ACTIONS);
  const opts = {};
  const layout = hb.compile(LAYOUT, opts);
  const pages = { overview: hb.compile(OVERVIEW, opts), queue: hb.compile(QUEUE, opts), job: hb.compile(JOB, opts), schedulers: hb.compile(SCHEDULERS, opts), error: hb.compile(ERROR, opts) };
  return {
    page(name, context) {
      return layout({ ...context, body: pages[name](context) });
    },
  };
}
