import { Action, Channel } from 'stryke';
import { Greeter } from '../services/greeter';
import { ApplicationChannel } from './application_channel';

/** Routed from config/routes.ts: r.ws('/chat/:roomId', 'chat'). */
@Channel()
export class ChatChannel extends ApplicationChannel {
  static disconnects: string[] = [];

  constructor(private readonly greeter: Greeter) {
    super();
  }

  get room(): string {
    return `room:${this.params.roomId}`;
  }

  async onConnect() {
    if (this.params.roomId === 'closed') this.reject(4403, 'room closed');
    if (this.params.roomId === 'members' && !this.session.get('member')) this.reject(4401, 'members only');
    this.join(this.room, { presence: { name: this.params.name ?? 'anon' } });
  }

  onDisconnect() {
    ChatChannel.disconnects.push(this.id);
  }

  @Action()
  speak(data: { body: string }) {
    this.broadcastTo(this.room, 'message', { body: data?.body, from: this.id });
  }

  @Action()
  greet(data: { name: string }) {
    return this.greeter.greet(data.name);
  }

  @Action()
  explode() {
    throw new Error('boom');
  }

  @Action()
  who() {
    return this.presence(this.room).map((m) => m.name).sort();
  }

  @Action()
  whoami() {
    return { member: this.session.get('member') ?? null, user: this.currentUser ?? null };
  }

  @Action()
  slow(data: { ms: number }) {
    return new Promise((r) => setTimeout(() => r('done'), data.ms));
  }
}
