import type { Session } from '../security';

export const FLASH_KEY = '_flash';

/**
 * Messages that survive exactly one redirect. `set` keeps a message for the next request; `now` shows it
 * in this one. Views read the current messages as `flash.notice` and `flash.alert`.
 */
export class Flash {
  /** Messages shown by this request's views. */
  readonly messages: Record<string, string>;
  private readonly next: Record<string, string> = {};
  private hasNext = false;

  constructor(session: Session) {
    const carried = session.get<Record<string, string>>(FLASH_KEY);
    this.messages = carried && typeof carried === 'object' ? { ...carried } : {};
    if (carried) session.delete(FLASH_KEY);
  }

  get(key: string): string | undefined {
    return this.messages[key];
  }

  /** Keeps a message for the next request (the one after a redirect). */
  set(key: string, message: string): void {
    this.next[key] = message;
    this.hasNext = true;
  }

  /** Shows a message in this request only. */
  now(key: string, message: string): void {
    this.messages[key] = message;
  }

  /** Writes the messages for the next request into the session. */
  persist(session: Session): void {
    if (this.hasNext) session.set(FLASH_KEY, this.next);
  }
}
