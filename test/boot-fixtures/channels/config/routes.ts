import { routes } from 'stryke';

export default routes((r) => {
  r.ws('/chat/:roomId', 'chat');
});
