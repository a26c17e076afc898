import { registry } from '../registry';
import { callSite } from '../registry';
import { ChannelErrors } from './errors';

export interface ChannelOptions {
  /** The route's name in `stryke routes` (default: the class name without `Channel`, underscored). */
  as?: string;
}

/**
 * Declares a channel: a class whose instances each serve one WebSocket connection. With a path, the
 * channel routes itself; without one, `config/routes.ts` routes it (`r.ws('/chat/:roomId', 'chat')`).
 * @example
 * @Channel('/chat/:roomId')
 * export class ChatChannel extends ApplicationChannel {
 *   async onConnect() { this.join(`room:${this.params.roomId}`); }
 *   @Action() speak(data: { body: string }) { this.broadcastTo(`room:${this.params.roomId}`, 'message', data); }
 * }
 */
export function Channel(path?: string, options: ChannelOptions = {}): ClassDecorator {
  return (target) => {
    const decl = registry.channel(target);
    decl.path = path;
    decl.name = options.as;
    decl.source = callSite();
  };
}

/**
 * Marks a method as a message action: a client's `{"action":"speak","data":...}` calls `speak(data)`.
 * Only methods marked so can be called from the wire (never other methods, properties or inherited names).
 */
export function Action(): MethodDecorator {
  return (target, property) => {
    if (typeof property !== 'string') throw ChannelErrors.BAD_ARGUMENT('@Action()', 'it goes on a method with a string name, not a symbol');
    registry.channel(target.constructor).actions.add(property);
  };
}
