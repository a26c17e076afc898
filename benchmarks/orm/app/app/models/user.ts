import { Field, HasMany, Model, type Loaded } from 'stryke';
import { ApplicationModel } from './application_model';
import { Post } from './post';

@Model('bench_users')
export class User extends ApplicationModel {
  @Field({ primary: true }) id!: number;
  @Field('string') name!: string;
  @Field('string') email!: string;
  @HasMany(() => Post, { foreignKey: 'authorId' }) posts!: Loaded<Post[]>;
}
