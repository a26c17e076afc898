import { BelongsTo, Field, Model, Timestamps, type Loaded } from 'stryke';
import { ApplicationModel } from './application_model';
import { User } from './user';

/**
 * A signed-in browser: the cookie carries `<id>.<secret>`, this row only the secret's SHA-256 digest.
 * Signing out deletes the row, so a copy of the old cookie signs in no one.
 */
@Model('sessions')
export class Session extends ApplicationModel {
  @Field({ primary: true }) id!: number;
  @Field() userId!: number;

  @Field({ type: 'string', limit: 64 }) tokenDigest!: string;
  @Field({ type: 'string', limit: 255 }) userAgent!: string | null;
  @Field({ type: 'string', limit: 64 }) ipAddress!: string | null;
  @Field('datetime') lastSeenAt!: Date;

  @Timestamps() createdAt!: Date;
  updatedAt!: Date;

  @BelongsTo(() => User, { required: true }) user!: Loaded<User>;
}
