import { defineError } from '../support/errors';

export const ConfigErrors = {
  PARSE: defineError('STRYKE_E_CONFIG_PARSE', 'config/%s could not be parsed: %s. Fix the TOML syntax at the position shown.'),
  MISSING_ENV: defineError('STRYKE_E_CONFIG_MISSING_ENV', 'config/%s refers to ${%s}, which is not set. Set the environment variable, or give a default with ${%s:-value}.'),
  MISSING_SECRET: defineError('STRYKE_E_CONFIG_MISSING_SECRET', 'No secret key in production: set SECRET_KEY_BASE (at least 32 characters), or secret_key_base in config/app.toml.'),
};
