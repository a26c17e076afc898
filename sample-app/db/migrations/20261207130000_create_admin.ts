import { migration } from 'stryke';

/** `admin` on users (who may use /admin) and the admin's audit log. Written by `stryke generate admin`. */
export default migration('CreateAdmin', {
  change(m) {
    m.addColumn('users', 'admin', 'boolean', { null: false, default: false });
    m.createTable('admin_audit_log', (t) => {
      t.integer('user_id');
      t.string('user_label', { limit: 255 });
      t.string('model', { null: false, limit: 255 });
      t.string('record_id', { null: false, limit: 255 });
      t.string('action', { null: false, limit: 32 });
      t.text('changes');
      t.datetime('created_at', { null: false });
      t.index(['model', 'record_id']);
    });
  },
});
