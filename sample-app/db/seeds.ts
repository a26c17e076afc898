import { Comment } from '../app/models/comment';
import { Post } from '../app/models/post';

/** Sample content for a fresh database (`stryke db seed`, and on first `npm start`). */
export default async function seed() {
  const welcome = await Post.create({
    title: 'Welcome to stryke web',
    body: 'This blog is the sample app: posts and comments with HTML forms, flash messages, validation errors and JSON at the same URLs. Try /posts.json.',
    published: true,
  });
  await Comment.create({ postId: welcome.id, author: 'Ada', body: 'Looks fast.' });
  await Post.create({
    title: 'Routes from decorators',
    body: '@Resources("posts") gives the seven Rails routes; `npx stryke routes` lists them with their names.',
    published: true,
  });
  await Post.create({ title: 'A draft', body: 'Unpublished posts are listed too, marked as drafts.', published: false });
}
