import { registry, type FieldDecl } from '../registry';
import { AuthErrors } from './errors';
import { hashPassword, MAX_PASSWORD_BYTES, needsRehash, passwordTooLong, verifyDummy, verifyPassword } from './password';

export interface PasswordOptions {
  /** The property (and column) holding the digest. Default: `<property>Digest` (`passwordDigest`). */
  digest?: string;
  /** Check `<property>Confirmation` when it is given (default true). */
  confirmation?: boolean;
  /** A record cannot be created without one (default true). */
  required?: boolean;
}

/** Plain passwords set on records, until save hashes them: kept off the record, so nothing can print them. */
const plains = new WeakMap<object, Map<string, string | null>>();

function plainOf(record: object, property: string): string | null | undefined {
  return plains.get(record)?.get(property);
}

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A password: assigning the plain value (`user.password = '...'`, `new User({ password })`) keeps it in
 * memory only; `save()` validates it (present on create, at most 256 UTF-8 bytes, matching
 * `passwordConfirmation` when that is given), then stores only its Argon2id digest in `passwordDigest`.
 * The digest is left out of `toJSON()` and shown as `[FILTERED]` by `util.inspect`; the plain value is on
 * no property at all. `await user.authenticate(plain)` checks a password, rehashing the digest when the
 * hashing parameters were raised since it was made.
 * @example
 * @Password() password!: string;
 * declare authenticate: (plain: unknown) => Promise<boolean>;
 */
export function Password(options: PasswordOptions = {}): PropertyDecorator {
  return (target, key) => {
    const property = String(key);
    const model = target.constructor;
    const digest = options.digest ?? `${property}Digest`;
    if (digest === property) throw AuthErrors.BAD_PASSWORD_FIELD(model.name, property, 'the digest needs a property of its own.');
    const decl = registry.model(model);
    const field: FieldDecl = { property: digest, column: digest, type: 'string', primary: false, nullable: true, limit: 255, sensitive: true };
    decl.fields = decl.fields.filter((f) => f.property !== digest).concat(field);
    const confirmation = `${property}Confirmation`;
    decl.virtuals = [...(decl.virtuals ?? []).filter((v) => v !== property && v !== confirmation), property, confirmation];
    if (options.confirmation !== false) decl.validations.push({ property, rules: { confirmation: true } });

    // The plain value lives in a WeakMap, behind an accessor: assigning it is how a password is set.
    for (const name of [property, confirmation]) {
      Object.defineProperty(target, name, {
        configurable: true,
        enumerable: false,
        get(this: object) {
          return plainOf(this, name) ?? undefined;
        },
        set(this: object, value: unknown) {
          let map = plains.get(this);
          if (!map) plains.set(this, (map = new Map()));
          map.set(name, value === undefined || value === null ? null : String(value));
        },
      });
    }

    (decl.validators ??= []).push({
      options: {},
      method: (record: any) => {
        const plain = plainOf(record, property);
        if (typeof plain === 'string' && plain.length > 0) {
          if (passwordTooLong(plain)) record.errors.add(property, `is too long (maximum is ${MAX_PASSWORD_BYTES} bytes)`);
        } else if (options.required !== false && (plain !== undefined || (record.isNewRecord && !record[digest]))) {
          // Set blank (or null) explicitly, or a new record without one.
          record.errors.add(property, "can't be blank");
        }
      },
    });

    // After validation, before the transaction: an Argon2 hash takes tens of milliseconds.
    (decl.preparers ??= []).push(async (record: any) => {
      const plain = plainOf(record, property);
      if (plain === undefined) return;
      if (plain === null || plain === '') {
        if (plain === null) record[digest] = null;
      } else {
        record[digest] = await hashPassword(plain); // throws (422) when too long, even with validate: false
      }
      const map = plains.get(record)!;
      map.delete(property);
      map.delete(confirmation);
    });

    const method = property === 'password' ? 'authenticate' : `authenticate${upperFirst(property)}`;
    if (!Object.prototype.hasOwnProperty.call(target, method)) {
      Object.defineProperty(target, method, {
        configurable: true,
        writable: true,
        enumerable: false,
        value: async function authenticate(this: any, plain: unknown): Promise<boolean> {
          const stored = this[digest];
          if (typeof stored !== 'string' || !stored) return verifyDummy(typeof plain === 'string' ? plain : '');
          const ok = await verifyPassword(stored, plain);
          if (ok && needsRehash(stored) && this.isPersisted) {
            await this.updateColumns({ [digest]: await hashPassword(plain as string) });
          }
          return ok;
        },
      });
    }
  };
}
