import { routes } from 'stryke/routing';

/**
 * Central routes, beside the ones controllers declare with decorators (`@Resources('posts')`...).
 * `npx stryke routes` lists them all.
 */
export default routes((r) => {
  // A read-only JSON API, versioned: GET /api/v1/posts and /api/v1/posts/:id
  // (app/controllers/api/v1/posts_controller.ts), named api_v1_posts and api_v1_post.
  r.namespace('api', { version: 'v1' }, (r) => {
    r.resources('posts', { only: ['index', 'show'] });
  });
  // The newest posts as server-sent events, resumable with Last-Event-ID.
  r.sse('/posts/live', 'feeds#live', { as: 'live_posts' });
  // Live comments on a post's page: a WebSocket served by app/channels/comments_channel.ts.
  r.ws('/posts/:postId/live', 'comments');
});
