import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { stryke } from '../support/cli';

function views(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'stryke-lint-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

describe('stryke lint', () => {
  it('lists every {{{ }}} and {{& }} with file, line and column, and fails', () => {
    const root = views({
      'app/views/posts/show.hbs': '<h1>{{post.title}}</h1>\n<div>{{{post.html}}}</div>\n{{!-- {{{in.a.comment}}} --}}\n<p>{{&post.summary}}</p>\n',
      'app/views/layouts/application.hbs': '<body>{{yield}}</body>\n',
    });
    const res = stryke(['lint', '--root', root]);
    assert.equal(res.status, 1, res.stdout + res.stderr);
    assert.match(res.stdout, /^app\/views\/posts\/show\.hbs:2:6 {2}\{\{\{post\.html\}\}\} {2}raw output, not escaped$/m);
    assert.match(res.stdout, /^app\/views\/posts\/show\.hbs:4:4 {2}\{\{&post\.summary\}\} {2}raw output, not escaped$/m);
    assert.doesNotMatch(res.stdout, /in\.a\.comment/);
    assert.match(res.stdout, /2 templates: 2 raw outputs \(0 allowed\)/);
  });

  it('passes when each raw output is allowed by a comment on its line or the line above', () => {
    const root = views({
      'app/views/posts/show.hbs':
        '{{! stryke-lint allow-raw: sanitized by the model before save }}\n<div>{{{post.html}}}</div>\n' +
        '<p>{{{post.badge}}}</p>{{!-- stryke-lint allow-raw: a SafeString from a helper --}}\n',
    });
    const res = stryke(['lint', '--root', root]);
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /show\.hbs:2:6 {2}\{\{\{post\.html\}\}\} {2}allowed: sanitized by the model before save/);
    assert.match(res.stdout, /show\.hbs:3:4 {2}\{\{\{post\.badge\}\}\} {2}allowed: a SafeString from a helper/);
    const json = JSON.parse(stryke(['lint', '--root', root, '--json']).stdout);
    assert.equal(json.raw.length, 2);
  });

  it('does not carry an allowance past the next line', () => {
    const root = views({ 'app/views/a.hbs': '{{! stryke-lint allow-raw: ok }}\n<p></p>\n{{{x}}}\n' });
    const res = stryke(['lint', '--root', root]);
    assert.equal(res.status, 1);
    assert.match(res.stdout, /a\.hbs:3:1 {2}\{\{\{x\}\}\} {2}raw output/);
  });

  it('reports a template that does not parse, with its line', () => {
    const root = views({ 'app/views/b.hbs': '<p>\n{{#if x}}\n' });
    const res = stryke(['lint', '--root', root]);
    assert.equal(res.status, 1);
    assert.match(res.stdout, /app\/views\/b\.hbs:\d+: does not parse/);
  });
});
