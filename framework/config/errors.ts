import { defineError } from '../support';

export const ConfigErrors = {
  PARSE: defineError('STRYKE_E_CONFIG_PARSE', 'config/%s could not be parsed: %s. Fix the TOML syntax at the position shown.'),
  MISSING_ENV: defineError('STRYKE_E_CONFIG_MISSING_ENV', 'config/%s refers to ${%s}, which is not set. Set the environment variable, or give a default with ${%s:-value}.'),
  MISSING_SECRET: defineError('STRYKE_E_CONFIG_MISSING_SECRET', 'No secret key in production: give the server the master key (STRYKE_MASTER_KEY) of config/credentials.toml.enc holding secret_key_base (`stryke credentials edit`), or set SECRET_KEY_BASE (at least 32 characters).'),
};
