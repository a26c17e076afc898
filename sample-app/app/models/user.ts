import { BeforeValidation, Field, HasMany, Model, Password, Timestamps, Validates, type Loaded } from 'stryke';
import { ApplicationModel } from './application_model';
import { Session } from './session';

/** Someone who can sign in. Written by `stryke generate auth`: the app owns it, change it as you need. */
@Model('users')
export class User extends ApplicationModel {
  @Field({ primary: true }) id!: number;

  @Field({ type: 'string', limit: 255 })
  @Validates({ presence: true, length: { max: 255 }, format: { with: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, message: 'is not an email address' }, uniqueness: { caseSensitive: false } })
  email!: string;

  /**
   * Assigning it stores only its Argon2id digest (the passwordDigest column) when the user is saved; it is
   * never in toJSON, util.inspect or a log. At least 8 characters; more than 256 bytes is refused before hashing.
   */
  @Password()
  @Validates({ length: { min: 8 }, allowNull: true })
  password!: string;

  /** Whether `plain` is this user's password (the digest is rehashed if the hashing parameters were raised). */
  declare authenticate: (plain: unknown) => Promise<boolean>;

  /** Whether this user may use /admin. */
  @Field({ type: 'boolean', default: false }) admin!: boolean;

  @Timestamps() createdAt!: Date;
  updatedAt!: Date;

  /** Where this user is signed in: one record per browser. */
  @HasMany(() => Session, { dependent: 'delete' }) sessions!: Loaded<Session[]>;

  /** Addresses are compared without case or surrounding spaces. */
  @BeforeValidation()
  normalizeEmail() {
    if (typeof this.email === 'string') this.email = this.email.trim().toLowerCase();
  }
}
