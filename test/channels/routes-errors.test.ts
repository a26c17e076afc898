import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stryke, writeApp } from '../support/cli';

const base = {
  'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
  'app/controllers/feeds_controller.ts': `
import { ActionController } from 'stryke';
export class FeedsController extends ActionController { chat() { return 'x'; } }
`,
  'app/channels/chat_channel.ts': `
import { ActionChannel, Channel } from 'stryke';
@Channel()
export class ChatChannel extends ActionChannel {}
`,
};

describe('ws routes name channels: a wrong target fails the boot with a coded, one-line error', () => {
  it('refuses a controller action, names an unknown channel with the known ones, and lists a good route', () => {
    const action = writeApp({ ...base, 'config/routes.ts': `import { routes } from 'stryke';\nexport default routes((r) => { r.ws('/chat', 'feeds#chat'); });\n` });
    const bad = stryke(['routes', '--root', action]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /ws route \/chat .* targets feeds#chat, which is not a channel.*STRYKE_E_CHANNELS_NOT_A_CHANNEL/s);

    const unknown = writeApp({ ...base, 'config/routes.ts': `import { routes } from 'stryke';\nexport default routes((r) => { r.ws('/talk', 'talk'); });\n` });
    const missing = stryke(['routes', '--root', unknown]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /names channel "talk", but app\/channels has no talk_channel\.ts.*Known: chat\..*STRYKE_E_CHANNELS_UNKNOWN_CHANNEL/s);

    const good = writeApp({ ...base, 'config/routes.ts': `import { routes } from 'stryke';\nexport default routes((r) => { r.ws('/chat/:roomId', 'chat', { as: 'chat' }); });\n` });
    const listed = stryke(['routes', '--root', good]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /WS\s+\/chat\/:roomId\s+ChatChannel/);
  });
});
