import { BelongsTo, Field, Model, type Loaded } from 'stryke';
import { ApplicationModel } from './application_model';
import { Post } from './post';

@Model('bench_comments')
export class Comment extends ApplicationModel {
  @Field({ primary: true }) id!: number;
  @Field('integer') postId!: number;
  @Field('text') body!: string;
  @BelongsTo(() => Post) post!: Loaded<Post>;
}
