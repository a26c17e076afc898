import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { types as pgTypes } from 'pg';
import { anyOf } from 'stryke';
import { metaOf } from '../../framework/orm/meta';
import { parsePgDate, parsePgTimestamp } from '../../framework/orm/pg-text';
import { eachDatabase } from './harness';

/** A record's field by name (the names come from the model's metadata here, not from the types). */
const read = (record: object, field: string): unknown => (record as Record<string, unknown>)[field];

/**
 * PostgreSQL rows are read by the model layer as the text the server sent, converted by a row mapper per
 * column layout (framework/orm/pg-text.ts). These tests hold it to the driver: whatever node-postgres's own
 * parser followed by the field's reader gives, the text path must give too.
 */

const driverTimestamp = pgTypes.getTypeParser(1184, 'text') as (s: string) => unknown;
const driverDate = pgTypes.getTypeParser(1082, 'text') as (s: string) => unknown;

/** The same value for a field: Dates by time (NaN too), everything else by deep equality. */
function sameValue(a: unknown, b: unknown, label: string): void {
  if (a instanceof Date || b instanceof Date) {
    assert.ok(a instanceof Date && b instanceof Date, `${label}: ${String(a)} vs ${String(b)}`);
    assert.ok(Object.is(a.getTime(), b.getTime()), `${label}: ${a.getTime()} vs ${b.getTime()}`);
    return;
  }
  assert.deepStrictEqual(a, b, label);
}

function withProcessZone(zone: string, fn: () => void): void {
  const was = process.env.TZ;
  process.env.TZ = zone;
  try {
    fn();
  } finally {
    if (was === undefined) delete process.env.TZ;
    else process.env.TZ = was;
  }
}

describe('PostgreSQL timestamp text read by hand', () => {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const offsets = ['', '+00', '-05', '+05:30', '-03:30', '+14', '-12', '+00:19:32', '-04:56:02', '+01'];

  /** Deterministic pseudo-random strings in PostgreSQL's ISO output shape. */
  function samples(count: number): string[] {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const year = [1, 44, 99, 100, 1600, 1900, 1969, 1970, 2000, 2024, 2100, 9999][rnd(12)]! + (rnd(3) === 0 ? rnd(50) : 0);
      const digits = rnd(7);
      const frac = digits ? `.${String(rnd(10 ** digits)).padStart(digits, '0')}` : '';
      out.push(`${pad(Math.min(year, 9999), 4)}-${pad(1 + rnd(12))}-${pad(1 + rnd(28))} ${pad(rnd(24))}:${pad(rnd(60))}:${pad(rnd(60))}${frac}${offsets[rnd(offsets.length)]}`);
    }
    return out;
  }

  it('gives the instant the driver gives, for every offset form and fraction length', () => {
    for (const s of samples(20000)) sameValue(parsePgTimestamp(s, driverTimestamp), driverTimestamp(s), s);
  });

  it('reads a timestamp without zone in the process time zone, as the driver does', () => {
    for (const zone of ['America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC']) {
      withProcessZone(zone, () => {
        for (const s of samples(3000).map((x) => x.replace(/[+-][\d:]+$/, ''))) sameValue(parsePgTimestamp(s, driverTimestamp), driverTimestamp(s), `${zone} ${s}`);
        // The hour that a daylight-saving change skips or repeats.
        for (const s of ['2026-03-08 02:30:00', '2026-11-01 01:30:00', '2026-10-04 02:15:00']) sameValue(parsePgTimestamp(s, driverTimestamp), driverTimestamp(s), `${zone} ${s}`);
      });
    }
  });

  it('cuts microseconds to the millisecond, never rounds', () => {
    assert.equal((parsePgTimestamp('2026-11-21 11:56:16.123999+00', driverTimestamp) as Date).toISOString(), '2026-11-21T11:56:16.123Z');
    assert.equal((parsePgTimestamp('2026-11-21 11:56:16.9+05:30', driverTimestamp) as Date).toISOString(), '2026-11-21T06:26:16.900Z');
    assert.equal((parsePgTimestamp('1969-12-31 23:59:59.999999+00', driverTimestamp) as Date).toISOString(), '1969-12-31T23:59:59.999Z');
  });

  it('leaves BC, infinity, long years and other shapes to the driver', () => {
    for (const s of ['0044-03-15 12:19:32+00:19:32 BC', 'infinity', '-infinity', '10000-01-01 00:00:00+01', '2026-11-21T11:56:16Z',
      '2026-11-21 11:56:16.1234567+00', '2026-13-01 00:00:00+00', '2026-11-21 11:56:16+0530', '2026-11-21 11:56:16 +00', 'garbage']) {
      const mine = parsePgTimestamp(s, driverTimestamp);
      const theirs = driverTimestamp(s);
      if (typeof theirs === 'number' || theirs === null) assert.strictEqual(mine, theirs, s);
      else sameValue(mine, theirs, s);
    }
  });

  it('keeps a plain date as its text, and the rest as the driver reads it', () => {
    assert.equal(parsePgDate('1969-07-20', driverDate), '1969-07-20');
    assert.equal(parsePgDate('0044-03-15', driverDate), '0044-03-15');
    for (const s of ['0044-03-15 BC', '12345-01-01', 'infinity']) {
      const mine = parsePgDate(s, driverDate);
      const theirs = driverDate(s);
      if (theirs instanceof Date) sameValue(mine, theirs, s);
      else assert.strictEqual(mine, theirs, s);
    }
  });
});

describe('PostgreSQL rows read as text', async () => {
  await eachDatabase('pgtext', (ctx) => {
    describe('values read back by the model layer (rows as arrays) as from the driver\'s own rows', () => {
      it('every field type, nulls, and no change seen by dirty tracking', async () => {
        const { User, Account } = ctx;
        const settings = { theme: 'dark', n: 1.5, nested: { ok: true, list: [1, 'two', null] }, unicode: 'ü ✓' };
        const u = await ctx.user({ age: 42, score: -2.25, active: false, settings, lastSeenAt: new Date('1969-07-20T20:17:40.123Z'), bio: 'line\none', birthday: '1969-07-20' });
        const empty = await ctx.user({ age: null, active: true, settings: null, lastSeenAt: null, bio: null, birthday: null });
        const visits = 2n ** 62n + 7n;
        const a = await Account.create({ name: 'Big', status: 'suspended', balance: '1234567890.05', visits });

        const inTransaction = await User.transaction(async () => ({
          users: await User.where({ id: anyOf([u.id, empty.id]) }).order('id'),
          account: await Account.find(a.id),
        }));
        const users = await User.where({ id: anyOf([u.id, empty.id]) }).order('id');
        const found = await User.find(u.id);
        const account = await Account.find(a.id);

        // The reference: the driver's rows (objects, values as node-postgres parses them) through the model's object mapper.
        const q = ctx.q;
        const p = (n: number) => ctx.app.db.dialect.placeholder(n);
        const objectUsers = (await ctx.app.db.select(`SELECT * FROM ${q('users')} WHERE id IN (${p(1)}, ${p(2)}) ORDER BY id`, [u.id, empty.id])).map((r) => User.hydrate(r));
        const objectAccount = Account.hydrate((await ctx.app.db.select(`SELECT * FROM ${q('accounts')} WHERE id = ${p(1)}`, [a.id]))[0]!);
        assert.equal(objectUsers.length, 2);
        for (const [i, ref] of objectUsers.entries()) {
          for (const f of metaOf(User).fields) {
            sameValue(read(users[i]!, f.property), read(ref, f.property), `User.${f.property}`);
            sameValue(read(inTransaction.users[i]!, f.property), read(ref, f.property), `User.${f.property} in a transaction`);
          }
        }
        for (const f of metaOf(Account).fields) {
          sameValue(read(account, f.property), read(objectAccount, f.property), `Account.${f.property}`);
          sameValue(read(inTransaction.account, f.property), read(objectAccount, f.property), `Account.${f.property} in a transaction`);
        }

        assert.strictEqual(found.age, 42);
        assert.strictEqual(found.score, -2.25);
        assert.strictEqual(found.active, false);
        assert.deepEqual(found.settings, settings);
        assert.equal(found.lastSeenAt!.toISOString(), '1969-07-20T20:17:40.123Z');
        assert.strictEqual(found.bio, 'line\none');
        assert.strictEqual(found.birthday, '1969-07-20');
        assert.ok(found.createdAt instanceof Date);
        assert.equal(found.createdAt.getTime(), u.createdAt.getTime());
        const none = users[1]!;
        for (const p of ['age', 'settings', 'lastSeenAt', 'bio', 'birthday']) assert.strictEqual(read(none, p), null, p);
        assert.strictEqual(none.active, true);
        assert.strictEqual(account.visits, visits);
        assert.strictEqual(account.balance, '1234567890.05');
        assert.strictEqual(account.status, 'suspended');
        assert.strictEqual(account.deletedAt, null);

        for (const r of [found, none, account, ...users, ...inTransaction.users, inTransaction.account]) assert.deepEqual(r.changed(), [], `${r.constructor.name} read back unchanged`);
        (found.settings as Record<string, unknown>).nested = { ok: false };
        found.active = true;
        assert.deepEqual(found.changed().sort(), ['active', 'settings']);
        assert.deepEqual(found.changes.active, [false, true]);
        await found.save();
        const again = await User.find(u.id);
        assert.strictEqual(again.active, true);
        assert.deepEqual(again.settings!.nested, { ok: false });
      });
    });

    describe('PostgreSQL text of every shape', () => {
      /** Zones and the offset PostgreSQL writes for 2026-01-02 in them (Amsterdam's 1900 is +00:19:32). */
      const zones: [string, string][] = [['Asia/Kolkata', '+05:30'], ['America/St_Johns', '-03:30'], ['Europe/Amsterdam', '+01'], ['Pacific/Chatham', '+13:45'], ['UTC', '+00']];

      /** Sets the time zone of every connection the pool holds (and may hand out) to `zone`. */
      async function sessionZone(zone: string): Promise<void> {
        // Every client of the pool at once: each connection held until all of them are.
        const db = ctx.app.db;
        const n = db.config.pool ?? 10;
        let all!: () => void;
        const held = new Promise<void>((r) => (all = r));
        let count = 0;
        await Promise.all(Array.from({ length: n }, () => db.withConnection(async (c) => {
          await c.query(`SET TIME ZONE '${zone}'`);
          if (++count === n) all();
          await held;
        })));
      }

      after(async () => {
        if (ctx.target.name === 'postgres') await sessionZone('UTC');
      });

      it('datetimes in any session time zone, microseconds, before 1970 and year 1, BC and infinity', async (t) => {
        if (ctx.target.name !== 'postgres') return t.skip('PostgreSQL only');
        const { User } = ctx;
        const q = ctx.q;
        const moments = ['2026-01-02 03:04:05.678912+00', '1900-01-01 00:00:00+00', '1969-12-31 23:59:59.999999+00', '0001-01-01 00:00:00+00',
          '0044-03-15 12:00:00+00', '1600-02-29 12:00:00.5+00', '9999-12-31 23:59:59.999+00', '0044-03-15 12:00:00+00 BC', 'infinity', '-infinity'];
        const ids: number[] = [];
        for (const m of moments) {
          const u = await ctx.user();
          await ctx.app.db.run(`UPDATE ${q('users')} SET ${q('lastSeenAt')} = $1::timestamptz WHERE id = $2`, [m, u.id]);
          ids.push(u.id);
        }
        for (const [zone, offset] of zones) {
          await sessionZone(zone);
          // Every pooled session answers in the zone: several reads at once use several connections.
          const texts = await Promise.all(Array.from({ length: 4 }, () => ctx.app.db.execute(`SELECT ${q('lastSeenAt')} FROM ${q('users')} WHERE id = $1`, [ids[0]], true)));
          for (const text of texts) assert.ok((text.rows[0] as unknown as string[])[0]!.endsWith(offset), `${zone}: ${(text.rows[0] as unknown as string[])[0]}`);
          const arrays = new Map((await User.where({ id: anyOf(ids) })).map((r) => [r.id, r]));
          const objects = new Map((await ctx.app.db.select(`SELECT * FROM ${q('users')} WHERE id = ANY($1)`, [ids])).map((r) => [r.id, User.hydrate(r)]));
          const inTransaction = new Map((await User.transaction(() => User.where({ id: anyOf(ids) }).toArray())).map((r) => [r.id, r]));
          for (const [i, id] of ids.entries()) {
            sameValue(arrays.get(id)!.lastSeenAt, objects.get(id)!.lastSeenAt, `${zone} ${moments[i]}`);
            sameValue(inTransaction.get(id)!.lastSeenAt, objects.get(id)!.lastSeenAt, `transaction ${zone} ${moments[i]}`);
            sameValue((await User.find(id)).lastSeenAt, objects.get(id)!.lastSeenAt, `find ${zone} ${moments[i]}`);
          }
          assert.equal(arrays.get(ids[0]!)!.lastSeenAt!.toISOString(), '2026-01-02T03:04:05.678Z', zone);
          assert.equal(arrays.get(ids[2]!)!.lastSeenAt!.toISOString(), '1969-12-31T23:59:59.999Z', zone);
          assert.equal(arrays.get(ids[3]!)!.lastSeenAt!.toISOString(), '0001-01-01T00:00:00.000Z', zone);
          assert.ok(Number.isNaN(arrays.get(ids[8]!)!.lastSeenAt!.getTime()), 'infinity: as the driver reads it (Infinity), an invalid Date');
        }
      });

      it('integers and floats at their edges (NaN, infinities, -0, the smallest and largest) as the driver reads them', async (t) => {
        if (ctx.target.name !== 'postgres') return t.skip('PostgreSQL only');
        const { User } = ctx;
        const q = ctx.q;
        const pairs: [string, string][] = [['-2147483648', 'NaN'], ['2147483647', 'Infinity'], ['0', '-Infinity'], ['-1', '-0'],
          ['7', '1e300'], ['-7', '5e-324'], ['42', '0.30000000000000004'], ['1000000', '-1.7976931348623157e308']];
        const ids: number[] = [];
        for (const [age, score] of pairs) {
          const u = await ctx.user();
          await ctx.app.db.run(`UPDATE ${q('users')} SET ${q('age')} = $1::int, ${q('score')} = $2::float8 WHERE id = $3`, [age, score, u.id]);
          ids.push(u.id);
        }
        const arrays = new Map((await User.where({ id: anyOf(ids) })).map((r) => [r.id, r]));
        const objects = new Map((await ctx.app.db.select(`SELECT * FROM ${q('users')} WHERE id = ANY($1)`, [ids])).map((r) => [r.id, User.hydrate(r)]));
        for (const [i, id] of ids.entries()) {
          for (const f of ['age', 'score']) sameValue(read(arrays.get(id)!, f), read(objects.get(id)!, f), `${f} ${pairs[i]}`);
          assert.deepEqual(arrays.get(id)!.changed(), [], `${pairs[i]} read back unchanged`);
        }
        assert.strictEqual(arrays.get(ids[0]!)!.age, -2147483648);
        assert.ok(Number.isNaN(arrays.get(ids[0]!)!.score));
        assert.strictEqual(arrays.get(ids[2]!)!.score, -Infinity);
        assert.ok(Object.is(arrays.get(ids[3]!)!.score, -0), '-0 stays -0');
        assert.strictEqual(arrays.get(ids[6]!)!.score, 0.1 + 0.2);
      });

      it('a datetime field over a timestamp (no zone) or date column, a date field over a timestamp: as the driver reads them', async (t) => {
        if (ctx.target.name !== 'postgres') return t.skip('PostgreSQL only');
        const { User } = ctx;
        const meta = metaOf(User);
        const q = ctx.q;
        const u = await ctx.user({ lastSeenAt: new Date('2026-05-06T07:08:09.010Z'), birthday: '1990-07-15' });
        const shapes = [
          `SELECT id, ${q('lastSeenAt')}::timestamp AS ${q('lastSeenAt')}, ${q('birthday')}::timestamptz AS ${q('birthday')} FROM ${q('users')} WHERE id = $1`,
          `SELECT id, ${q('birthday')} AS ${q('lastSeenAt')}, ${q('lastSeenAt')}::date AS ${q('birthday')} FROM ${q('users')} WHERE id = $1`,
          `SELECT id, ${q('age')}::bigint AS ${q('age')}, ${q('score')}::numeric AS ${q('score')}, ${q('active')}::text AS ${q('bio')}, ${q('settings')}::jsonb AS ${q('settings')} FROM ${q('users')} WHERE id = $1`,
        ];
        for (const zone of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
          const was = process.env.TZ;
          process.env.TZ = zone;
          try {
            for (const sql of shapes) {
              const arrays = await ctx.app.db.execute(sql, [u.id], true);
              assert.ok(arrays.columns?.text, 'rows read as text');
              const fromText = meta.arrayHydrator(arrays.columns!)(arrays.rows[0] as unknown as unknown[]);
              const fromObjects = meta.hydrate((await ctx.app.db.execute(sql, [u.id])).rows[0]!);
              for (const f of meta.fields) sameValue(fromText[f.property], fromObjects[f.property], `${zone} ${f.property} of ${sql}`);
              assert.deepEqual(fromText.changed(), []);
            }
          } finally {
            if (was === undefined) delete process.env.TZ;
            else process.env.TZ = was;
          }
        }
      });

      it('a column whose type changes under a cached statement is read by its new type', async (t) => {
        if (ctx.target.name !== 'postgres') return t.skip('PostgreSQL only');
        const { User } = ctx;
        const q = ctx.q;
        const u = await ctx.user({ age: 42 });
        assert.strictEqual((await User.find(u.id)).age, 42);
        await ctx.app.db.run(`ALTER TABLE ${q('users')} ALTER COLUMN ${q('age')} TYPE numeric USING ${q('age')}::numeric`);
        try {
          // In a transaction first: a stale prepared statement there would abort it.
          const inTransaction = await User.transaction(async () => [(await User.find(u.id)).age, (await User.where({ id: u.id }))[0]!.age]);
          assert.deepEqual(inTransaction, [42, 42]);
          assert.strictEqual((await User.find(u.id)).age, 42);
          assert.deepEqual((await User.where({ id: u.id })).map((r) => r.age), [42]);
        } finally {
          await ctx.app.db.run(`ALTER TABLE ${q('users')} ALTER COLUMN ${q('age')} TYPE integer USING ${q('age')}::integer`);
        }
        assert.strictEqual((await User.find(u.id)).age, 42);
      });
    });
  });
});
