import { BelongsTo, Field, HasMany, Model, Timestamps, scope, type Loaded } from 'stryke';
import { ApplicationModel } from './application_model';
import { Comment } from './comment';
import { User } from './user';

@Model('bench_posts')
export class Post extends ApplicationModel {
  @Field({ primary: true }) id!: number;
  @Field('string') title!: string;
  @Field('text') body!: string;
  @Field('boolean') published!: boolean;
  @Field('integer') views!: number;
  @Field('integer') authorId!: number;
  @Timestamps() createdAt!: Date;
  updatedAt!: Date;

  @BelongsTo(() => User, { foreignKey: 'authorId' }) author!: Loaded<User>;
  @HasMany(() => Comment) comments!: Loaded<Comment[]>;

  static published = scope((q) => q.where({ published: true }));
}
