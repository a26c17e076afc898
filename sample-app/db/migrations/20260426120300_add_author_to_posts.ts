import { migration } from 'stryke';

export default migration('AddAuthorToPosts', {
  change(m) {
    // Posts written before sign-in existed have no author: nobody may edit them but through the console.
    m.addReference('posts', 'author', { foreignKey: 'users', null: true, onDelete: 'SET NULL' });
  },
});
