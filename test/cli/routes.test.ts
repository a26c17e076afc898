import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stryke, writeApp } from '../support/cli';

const base = {
  'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
  'app/controllers/posts_controller.ts': `
import { ActionController, Resources } from 'stryke';
@Resources('posts', { only: ['index', 'show'] })
export class PostsController extends ActionController {
  index() { return []; }
  show() { return {}; }
}
`,
};

describe('stryke routes and route errors, as a user meets them', () => {
  it('lists decorator and config/routes.ts routes together', () => {
    const root = writeApp({
      ...base,
      'config/routes.ts': `
import { routes } from 'stryke';
export default routes((r) => {
  r.namespace('admin', (r) => r.resources('posts', { only: ['index'] }));
  r.get('/feed.:format', 'posts#index', { format: ['json', 'rss'], as: 'feed' });
});
`,
      'app/controllers/admin/posts_controller.ts': `
import { ActionController } from 'stryke';
export class PostsController extends ActionController { index() { return []; } }
`,
    });
    const res = stryke(['routes', '--root', root]);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /postsPath\s+GET\s+\/posts\s+PostsController#index/);
    assert.match(res.stdout, /adminPostsPath\s+GET\s+\/admin\/posts\s+admin\/PostsController#index/);
    assert.match(res.stdout, /feedPath\s+GET\s+\/feed\.:format\s+PostsController#index/);
    const json = JSON.parse(stryke(['routes', '--root', root, '--json']).stdout);
    assert.ok(json.some((r: { name: string }) => r.name === 'admin_posts'));
  });

  it('fails with one line naming an unknown controller and the known ones', () => {
    const root = writeApp({ ...base, 'config/routes.ts': "import { routes } from 'stryke';\nexport default routes((r) => r.get('/x', 'pots#index'));\n" });
    const res = stryke(['routes', '--root', root]);
    assert.equal(res.status, 1);
    assert.match(res.stderr, /controller "pots".*Known: posts/);
    assert.match(res.stderr, /STRYKE_E_ROUTING_UNKNOWN_CONTROLLER/);
  });

  it('fails on a central route that duplicates a decorator route, naming both', () => {
    const root = writeApp({ ...base, 'config/routes.ts': "import { routes } from 'stryke';\nexport default routes((r) => r.get('/posts/:slug', 'posts#show'));\n" });
    const res = stryke(['routes', '--root', root]);
    assert.equal(res.status, 1);
    assert.match(res.stderr, /GET \/posts\/:slug is declared twice: PostsController#show \(.*posts_controller\.js:\d+\) and PostsController#show \(.*routes\.js:\d+\)/);
  });
});
