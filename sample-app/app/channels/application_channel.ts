import { ActionChannel } from 'stryke/channels';

/** The base of this app's channels: shared helpers go here (only @Action() methods can be called by clients). */
export class ApplicationChannel extends ActionChannel {}
