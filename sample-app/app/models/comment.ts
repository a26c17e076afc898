import { AfterCommit, BelongsTo, broadcastTo, Field, Model, Timestamps, Validates, scope, type Loaded } from 'stryke';
import { ApplicationModel } from './application_model';
import { Post } from './post';

@Model('comments')
export class Comment extends ApplicationModel {
  @Field({ primary: true }) id!: number;
  @Field() postId!: number;

  @Field({ type: 'string', limit: 100 })
  @Validates({ presence: true, length: { max: 100 } })
  author!: string;

  @Field('text')
  @Validates({ presence: true, length: { max: 2000 } })
  body!: string;

  @Timestamps() createdAt!: Date;
  updatedAt!: Date;

  @BelongsTo(() => Post, { required: true }) post!: Loaded<Post>;

  static oldestFirst = scope((q) => q.order('createdAt', 'asc').order('id', 'asc'));

  /** Readers of the post's page see the comment at once (app/channels/comments_channel.ts). */
  @AfterCommit({ on: 'create' })
  announce() {
    broadcastTo(`post:${this.postId}`, 'comment', { id: this.id, author: this.author, body: this.body, createdAt: this.createdAt });
  }
}
