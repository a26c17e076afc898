import vm from 'node:vm';
import WebSocket from 'ws';
import { CLIENT_SOURCE } from '../../framework/channels/client-source';

export interface BrowserChannel {
  on(event: string, fn: (data: any, meta?: any) => void): BrowserChannel;
  perform(action: string, data?: unknown): Promise<any>;
  close(): void;
  lastEventId: string | null;
  ready: boolean;
  connection?: string;
}

/**
 * The browser client exactly as served (its script text), run in a VM with `ws` as its WebSocket and a
 * `location` on the given host: `Stryke.channel(path)` as a page would call it.
 */
export function browserClient(host: string): { channel(path: string, options?: object): BrowserChannel } {
  const context: Record<string, unknown> = { WebSocket, location: { protocol: 'http:', host }, setTimeout, clearTimeout, console };
  vm.createContext(context);
  vm.runInContext(CLIENT_SOURCE, context);
  return (context as any).Stryke;
}
