import { AllowAnonymous, Before, RequireAuth, Resources, forbidden } from 'stryke';
import { Post } from '../models/post';
import { ApplicationController } from './application_controller';

/** Anyone reads posts; writing one needs an account, and only its author may change or delete it. */
@Resources('posts')
@RequireAuth()
@Before('setPost', { only: ['show', 'edit', 'update', 'destroy'] })
@Before('requireAuthor', { only: ['edit', 'update', 'destroy'] })
export class PostsController extends ApplicationController {
  private post!: Post;

  @AllowAnonymous()
  async index() {
    const page = await Post.recent().paginate({ page: this.params.page, perPage: 20 });
    return this.respondTo({
      html: () => this.render('posts/index', { posts: page.records, page }),
      json: () => this.json(page.records),
    });
  }

  @AllowAnonymous()
  async show() {
    await this.post.load('comments');
    await this.post.cover.load();
    return this.respondTo({
      html: () => this.render('posts/show', { post: this.post, comments: this.post.comments, editable: this.post.isEditableBy(this.currentUser) }),
      json: () => this.json(this.post),
    });
  }

  new() {
    return this.render('posts/new', { post: new Post() });
  }

  edit() {
    return this.render('posts/edit', { post: this.post });
  }

  async create() {
    const post = new Post(this.postParams());
    post.authorId = this.currentUser.id;
    if (await post.save()) {
      return this.respondTo({
        html: () => this.redirectTo(this.paths.postPath(post), { notice: 'Post was successfully created.' }),
        json: () => this.json(post, { status: 201 }),
      });
    }
    return this.invalid(post, 'posts/new');
  }

  async update() {
    if (await this.post.update(this.postParams())) {
      return this.respondTo({
        html: () => this.redirectTo(this.paths.postPath(this.post), { notice: 'Post was successfully updated.' }),
        json: () => this.json(this.post),
      });
    }
    return this.invalid(this.post, 'posts/edit');
  }

  async destroy() {
    await this.post.destroy();
    return this.respondTo({
      html: () => this.redirectTo(this.paths.postsPath(), { notice: 'Post was successfully deleted.' }),
      json: () => this.head(204),
    });
  }

  private async setPost() {
    this.post = await Post.find(this.params.id);
  }

  /** Someone else's post: HTML goes back to it with an alert, JSON gets 403. */
  private requireAuthor() {
    if (this.post.isEditableBy(this.currentUser)) return;
    return this.respondTo({
      html: () => this.redirectTo(this.paths.postPath(this.post), { alert: 'Only the author of this post can change or delete it.' }),
      json: () => { throw forbidden('Only the author of this post can change or delete it.'); },
    });
  }

  private postParams() {
    return this.params.require('post').permit('title', 'body', 'published', 'cover');
  }

  private invalid(post: Post, view: string) {
    return this.respondTo({
      html: () => this.render(view, { post }, { status: 422 }),
      json: () => this.json({ errors: post.errors }, { status: 422 }),
    });
  }
}
