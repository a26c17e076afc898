import { routes } from 'stryke';

export default routes((r) => {
  r.root('pages#home');
  r.resources('articles', { only: ['index', 'show', 'create'] }, (r) => {
    r.resources('notes', { only: ['index', 'show', 'create', 'destroy'], shallow: true });
    r.member((m) => m.post('publish'));
    r.collection((c) => c.get('drafts'));
  });
  r.namespace('api', { version: 'v1' }, (r) => {
    r.resources('articles', { only: ['index', 'show'] });
  });
  r.get('/feed.:format', 'feeds#show', { format: ['json', 'atom', 'rss'] });
  r.get('/dashboard', 'admin/dashboard#index', { host: 'admin.example.com' });
  r.scope({ path: '/help', as: 'help' }, (r) => {
    r.get('/faq', 'pages#faq', { as: 'faq' });
  });
  r.sse('/events', 'feeds#events');
  r.ws('/chat', 'chat');
});
