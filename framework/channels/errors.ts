import { defineError } from '../support';

/** Channel errors. Those sent to a client travel in an error frame (`{"type":"error","code":...}`), never a crash. */
export const ChannelErrors = {
  INVALID_MESSAGE: defineError('STRYKE_E_CHANNELS_INVALID_MESSAGE', 'The message is not a JSON object with a string "action": %s. Send {"action":"speak","data":{...}}.', 400),
  UNKNOWN_ACTION: defineError('STRYKE_E_CHANNELS_UNKNOWN_ACTION', '%s has no action "%s". Declare it with @Action() on the channel class.', 404),
  ACTION_FAILED: defineError('STRYKE_E_CHANNELS_ACTION_FAILED', 'The action "%s" failed%s', 500),
  BAD_REJECT_CODE: defineError('STRYKE_E_CHANNELS_BAD_REJECT_CODE', 'this.reject(%s): the close code must be an integer from 4000 to 4999 (4401 unauthorized, 4403 forbidden are the usual ones).'),
  FORBIDDEN_ORIGIN: defineError('STRYKE_E_CHANNELS_FORBIDDEN_ORIGIN', 'WebSocket upgrade refused: Origin %s is neither this app\'s own origin nor in config/channels.toml allowed_origins.', 403),
  UPGRADE_REQUIRED: defineError('STRYKE_E_CHANNELS_UPGRADE_REQUIRED', '%s is a WebSocket endpoint: connect with a WebSocket client (the stryke channels client: Stryke.channel("%s")).', 426),
  NOT_A_CHANNEL: defineError('STRYKE_E_CHANNELS_NOT_A_CHANNEL', 'ws route %s (%s) targets %s, which is not a channel: a ws route names a channel (r.ws(\'/chat/:roomId\', \'chat\') for app/channels/chat_channel.ts, or the class), never a controller action.'),
  UNKNOWN_CHANNEL: defineError('STRYKE_E_CHANNELS_UNKNOWN_CHANNEL', 'ws route %s (%s) names channel "%s", but app/channels has no %s_channel.ts exporting a @Channel class.%s'),
  BAD_ARGUMENT: defineError('STRYKE_E_CHANNELS_BAD_ARGUMENT', '%s: %s.'),
  BAD_CONFIG: defineError('STRYKE_E_CHANNELS_BAD_CONFIG', 'config/channels.toml: %s'),
  PAYLOAD_TOO_LARGE: defineError('STRYKE_E_CHANNELS_PAYLOAD_TOO_LARGE', 'broadcastTo(%s): the message is %s bytes, over the %s adapter\'s limit of %s bytes. Broadcast an id and let clients fetch the record.', 413),
  BAD_PART: defineError('STRYKE_E_CHANNELS_BAD_PART', 'A broadcast part from the postgres adapter was dropped: %s. Another program (or another stryke version) is sending NOTIFY on the channels\' channel.'),
  ADAPTER_DOWN: defineError('STRYKE_E_CHANNELS_ADAPTER_DOWN', 'The %s pub/sub adapter lost its connection (%s): broadcasts still reach this process\'s clients; other machines get them again once it reconnects.', 503),
};
