import { defineError } from '../support';

export const ServerErrors = {
  PORT_IN_USE: defineError('STRYKE_E_PORT_IN_USE', 'Port %s on %s is taken by another process (a server, or a connection that was given it as its local port): stop it or choose another port (--port, PORT, port in config/server.toml).'),
  PORT_DENIED: defineError('STRYKE_E_PORT_DENIED', 'Port %s on %s may not be opened by this user (below 1024 needs privileges) or the address is not one of this machine\'s: choose another port or host (--port/--host, PORT, config/server.toml).'),
  NATIVE_DIR: defineError('STRYKE_E_SERVER_NATIVE_DIR', 'A single executable loads its native addons from %s, which is not private to this user (another owner, or writable by others): set STRYKE_NATIVE_DIR to a folder only this user can write.'),
};
