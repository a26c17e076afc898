import { BelongsTo, Field, HasMany, HasOneAttached, Model, Timestamps, Validates, scope, type AttachedOne, type Loaded } from 'stryke';
import { ApplicationModel } from './application_model';
import { Comment } from './comment';
import { User } from './user';

@Model('posts')
@HasOneAttached('cover')
export class Post extends ApplicationModel {
  @Field({ primary: true }) id!: number;

  @Field({ type: 'string', limit: 200 })
  @Validates({ presence: true, length: { min: 3, max: 200 } })
  title!: string;

  @Field('text')
  @Validates({ presence: true })
  body!: string;

  @Field({ default: false }) published!: boolean;

  /** Who wrote it: only they may edit or delete it (null for posts from before sign-in existed). */
  @Field('integer') authorId!: number | null;
  @BelongsTo(() => User, { foreignKey: 'authorId' }) author!: Loaded<User | null>;

  @Timestamps() createdAt!: Date;
  updatedAt!: Date;

  /** Destroying a post destroys its comments (with their callbacks), in the same transaction. */
  @HasMany(() => Comment, { dependent: 'destroy' }) comments!: Loaded<Comment[]>;

  /** An optional cover image, stored apart from the row (config/storage.toml); purged when the post is destroyed. */
  declare cover: AttachedOne;

  static published = scope((q) => q.where({ published: true }));
  static recent = scope((q) => q.order('createdAt', 'desc').order('id', 'desc'));
  /** Posts with their comments loaded in one more query (never one per post). */
  static withComments = scope((q) => q.includes('comments'));
  /** Posts that have at least one comment. */
  static commented = scope((q) => q.joins('comments').distinct());

  /** Whether `user` may edit or delete this post: its author only. */
  isEditableBy(user: { id: number } | null | undefined): boolean {
    return !!user && this.authorId !== null && this.authorId === user.id;
  }
}
