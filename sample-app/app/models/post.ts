import { Field, HasMany, Model, Timestamps, Validates, scope, type Loaded } from 'stryke';
import { ApplicationModel } from './application_model';
import { Comment } from './comment';

@Model('posts')
export class Post extends ApplicationModel {
  @Field({ primary: true }) id!: number;

  @Field({ type: 'string', limit: 200 })
  @Validates({ presence: true, length: { min: 3, max: 200 } })
  title!: string;

  @Field('text')
  @Validates({ presence: true })
  body!: string;

  @Field({ default: false }) published!: boolean;

  @Timestamps() createdAt!: Date;
  updatedAt!: Date;

  @HasMany(() => Comment) comments!: Loaded<Comment[]>;

  static published = scope((q) => q.where({ published: true }));
  static recent = scope((q) => q.order('createdAt', 'desc').order('id', 'desc'));
}
