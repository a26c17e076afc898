import { migration } from 'stryke';

export default migration('CreateAuthentication', {
  change(m) {
    m.createTable('users', (t) => {
      t.string('email', { null: false, limit: 255 });
      t.string('passwordDigest', { null: false, limit: 255 });
      t.timestamps();
      t.index('email', { unique: true });
    });
    m.createTable('sessions', (t) => {
      t.references('user', { onDelete: 'CASCADE' });
      t.string('tokenDigest', { null: false, limit: 64 });
      t.string('userAgent', { limit: 255 });
      t.string('ipAddress', { limit: 64 });
      t.datetime('lastSeenAt', { null: false });
      t.timestamps();
    });
    m.createTable('password_resets', (t) => {
      t.references('user', { onDelete: 'CASCADE' });
      t.string('tokenDigest', { null: false, limit: 64 });
      t.datetime('expiresAt', { null: false });
      t.datetime('usedAt');
      t.timestamps();
    });
  },
});
