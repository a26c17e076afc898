import { defineError } from '../support/errors';

export const ViewErrors = {
  MISSING_TEMPLATE: defineError('STRYKE_E_VIEW_MISSING_TEMPLATE', 'Missing template "%s": looked for %s. Create the file, or render another view.'),
  COMPILE: defineError('STRYKE_E_VIEW_COMPILE', 'Template %s does not compile: %s'),
};
