import { BelongsTo, Field, Model, Timestamps, formatToken, newSecret, parseToken, secretMatches, type Loaded } from 'stryke';
import { ApplicationModel } from './application_model';
import { User } from './user';

/**
 * A password-reset link: the email carries `<id>.<secret>`, this row only the secret's digest. A link
 * works once (`usedAt` is set when it is redeemed) and until `expiresAt`.
 */
@Model('password_resets')
export class PasswordReset extends ApplicationModel {
  /** How long a link works, in minutes: change it here. */
  static validForMinutes = 20;

  @Field({ primary: true }) id!: number;
  @Field() userId!: number;
  @Field({ type: 'string', limit: 64 }) tokenDigest!: string;
  @Field('datetime') expiresAt!: Date;
  @Field('datetime') usedAt!: Date | null;

  @Timestamps() createdAt!: Date;
  updatedAt!: Date;

  @BelongsTo(() => User, { required: true }) user!: Loaded<User>;

  /** A new link for `user`: the token to send (only its digest is stored). */
  static async issue(user: User): Promise<{ reset: PasswordReset; token: string }> {
    const { secret, digest } = newSecret();
    const expiresAt = new Date(Date.now() + PasswordReset.validForMinutes * 60_000);
    const reset = await PasswordReset.create({ userId: user.id, tokenDigest: digest, expiresAt, usedAt: null });
    return { reset, token: formatToken(reset.id, secret) };
  }

  /** The unused, unexpired reset a token names (its secret compared in constant time), or null. */
  static async redeemable(token: unknown): Promise<PasswordReset | null> {
    const parsed = parseToken(token);
    if (!parsed || !/^\d+$/.test(parsed.id)) return null;
    const reset = await PasswordReset.findBy({ id: Number(parsed.id) });
    if (!reset || !secretMatches(parsed.secret, reset.tokenDigest)) return null;
    if (reset.usedAt || reset.expiresAt.getTime() <= Date.now()) return null;
    return reset;
  }

  /** Marks the link used; false when another request used it first (only one can). */
  async consume(): Promise<boolean> {
    const taken = await PasswordReset.where({ id: this.id, usedAt: null }).updateAll({ usedAt: new Date() });
    return taken === 1;
  }
}
