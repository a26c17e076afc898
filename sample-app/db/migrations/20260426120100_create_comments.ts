import { migration } from 'stryke';

export default migration('CreateComments', {
  change(m) {
    m.createTable('comments', (t) => {
      t.references('post', { onDelete: 'CASCADE' });
      t.string('author', { null: false, limit: 100 });
      t.text('body', { null: false });
      t.timestamps();
    });
  },
});
