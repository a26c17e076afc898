import { ActionChannel, Channel } from 'stryke';

@Channel()
export class ChatChannel extends ActionChannel {}
