import { migration } from 'stryke';

export default migration('CreatePosts', {
  change(m) {
    m.createTable('posts', (t) => {
      t.string('title', { null: false, limit: 200 });
      t.text('body', { null: false });
      t.boolean('published', { null: false, default: false });
      t.timestamps();
    });
    m.addIndex('posts', ['createdAt']);
  },
});
