import { Comment } from '../app/models/comment';
import { Post } from '../app/models/post';
import { User } from '../app/models/user';

/** Sample content for a fresh database (`stryke db seed`, and on first `npm start`). */
export default async function seed() {
  // A development account that wrote the sample posts: sign in as demo@example.com with "stryke demo password".
  const demo = await User.create({ email: 'demo@example.com', password: 'stryke demo password' });
  const welcome = await Post.create({
    authorId: demo.id,
    title: 'Welcome to stryke web',
    body: 'This blog is the sample app: posts and comments with HTML forms, flash messages, validation errors and JSON at the same URLs. Try /posts.json.',
    published: true,
  });
  await Comment.create({ postId: welcome.id, author: 'Ada', body: 'Looks fast.' });
  await Post.create({
    authorId: demo.id,
    title: 'Routes from decorators',
    body: '@Resources("posts") gives the seven Rails routes; `npx stryke routes` lists them with their names.',
    published: true,
  });
  await Post.create({ authorId: demo.id, title: 'A draft', body: 'Unpublished posts are listed too, marked as drafts.', published: false });
}
