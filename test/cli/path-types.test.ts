import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stryke, writeApp } from '../support/cli';

const controller = (body: string) => `
import { ActionController, Resources } from 'stryke';
@Resources('posts', { only: ['index', 'show'] })
export class PostsController extends ActionController {
  index() { return { link: ${body} }; }
  show() { return {}; }
}
`;

describe('typed path helpers (app/paths.d.ts)', () => {
  it('makes a wrong helper name or argument a tsc error, and follows new routes', () => {
    const root = writeApp({
      'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
      'app/controllers/posts_controller.ts': controller('this.paths.postPath(1)'),
    });
    const typed = stryke(['routes', '--types', '--root', root]);
    assert.equal(typed.status, 0, typed.stderr + typed.stdout);
    const dts = readFileSync(join(root, 'app/paths.d.ts'), 'utf8');
    assert.match(dts, /postPath\(id: PathParam, query\?: QueryParams\): string;/);
    assert.match(dts, /postsUrl\(query\?: QueryParams\): string;/);
    assert.equal(stryke(['build', '--root', root]).status, 0);

    writeFileSync(join(root, 'app/controllers/posts_controller.ts'), controller('this.paths.postPth(1)'));
    const typo = stryke(['build', '--root', root]);
    assert.equal(typo.status, 1);
    assert.match(typo.stderr, /Property 'postPth' does not exist/);

    writeFileSync(join(root, 'app/controllers/posts_controller.ts'), controller('this.paths.postPath()'));
    const missing = stryke(['build', '--root', root]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /Expected 1-2 arguments, but got 0/);

    // A route added in the same edit that uses its helper: the build regenerates the types and passes.
    writeFileSync(join(root, 'app/controllers/drafts_controller.ts'), `
import { ActionController, Controller, Get } from 'stryke';
@Controller('/drafts')
export class DraftsController extends ActionController {
  @Get('/', { as: 'drafts' })
  index() { return { self: this.paths.draftsPath() }; }
}
`);
    writeFileSync(join(root, 'app/controllers/posts_controller.ts'), controller('this.paths.draftsPath()'));
    const added = stryke(['build', '--root', root]);
    assert.equal(added.status, 0, added.stderr + added.stdout);
    assert.match(readFileSync(join(root, 'app/paths.d.ts'), 'utf8'), /draftsPath\(query\?: QueryParams\): string;/);
  });
});
