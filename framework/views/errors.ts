import { defineError } from '../support';

export const ViewErrors = {
  MISSING_TEMPLATE: defineError('STRYKE_E_VIEW_MISSING_TEMPLATE', 'Missing template "%s": looked for %s. Create the file, or render another view.'),
  MISSING_LAYOUT: defineError('STRYKE_E_VIEW_MISSING_LAYOUT', 'Missing layout "%s": looked for %s. Create the file, or pass another `layout` (or `layout: false`).'),
  MISSING_PARTIAL: defineError('STRYKE_E_VIEW_MISSING_PARTIAL', 'Missing partial "%s" used in %s: looked for %s. Create the file (partials start with an underscore), or fix the name.'),
  COMPILE: defineError('STRYKE_E_VIEW_COMPILE', 'Template %s does not compile: %s'),
  RENDER: defineError('STRYKE_E_VIEW_RENDER', 'Template %s failed to render: %s'),
  BAD_HELPER_ARGS: defineError('STRYKE_E_VIEW_HELPER_ARGS', 'Helper {{%s}}: %s'),
};
