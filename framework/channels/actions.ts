import type { ActionChannel } from './channel';
import { ChannelRejection } from './channel';
import type { ChannelRoute } from './connection';
import { ChannelErrors } from './errors';
import { errorFrame, parseMessage, replyFrame } from './protocol';
import type { UpgradeRequest } from './upgrade';

const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** What running a client's message needs of its connection. */
export interface ActionTarget {
  readonly request: UpgradeRequest;
  sendFrame(frame: string): void;
  close(code: number, reason: string): void;
}

/**
 * Runs one message from a client: `{ action, data, ref }` calls the channel's action of that name (one the route
 * allows, never a name of Object.prototype's) and replies with its result; a malformed message, an unknown action
 * or a failed one is answered with an error frame, and a ChannelRejection closes the connection with its code.
 * An error's own message reaches the client only when it is a stryke error below 500, or outside production.
 */
export async function runAction(c: ActionTarget, route: ChannelRoute, channel: ActionChannel | undefined, production: boolean, text: string): Promise<void> {
  const msg = parseMessage(text);
  if (typeof msg === 'string') {
    c.sendFrame(errorFrame(ChannelErrors.INVALID_MESSAGE.code, ChannelErrors.INVALID_MESSAGE(msg).message));
    return;
  }
  const { action, ref } = msg;
  const target = channel as any;
  if (!route.actions.has(action) || PROTOTYPE_NAMES.has(action) || typeof target[action] !== 'function') {
    c.sendFrame(errorFrame(ChannelErrors.UNKNOWN_ACTION.code, ChannelErrors.UNKNOWN_ACTION(route.name, action.slice(0, 64)).message, ref));
    return;
  }
  try {
    const result = await target[action](msg.data);
    if (result !== undefined || ref !== undefined) c.sendFrame(replyFrame(ref, result));
  } catch (err) {
    if (err instanceof ChannelRejection) return c.close(err.code, err.reason);
    c.request.log.error({ err, action }, `${route.name} channel: action ${action} failed`);
    const coded = err as { code?: unknown; status?: number; message?: string };
    const exposed = typeof coded.code === 'string' && coded.code.startsWith('STRYKE_E_') && (coded.status ?? 500) < 500;
    const code = exposed ? (coded.code as string) : ChannelErrors.ACTION_FAILED.code;
    const detail = exposed || !production ? `: ${coded.message ?? String(err)}` : '';
    const message = exposed ? String(coded.message) : ChannelErrors.ACTION_FAILED(action, detail).message;
    c.sendFrame(errorFrame(code, message, ref));
  }
}
