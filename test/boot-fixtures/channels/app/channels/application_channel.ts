import { ActionChannel } from 'stryke';

export class ApplicationChannel extends ActionChannel {
  /** A helper: not an action, so no message can call it. */
  secretHelper(): string {
    return 'never from the wire';
  }
}
