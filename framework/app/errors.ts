import { defineError } from '../support';

export const AppErrors = {
  NOT_COMPILED: defineError('STRYKE_E_APP_NOT_COMPILED', 'The app at %s has TypeScript under app/ but no compiled code in build/app: run `npx stryke build` (stryke start, dev and db commands build it for you).'),
  LOAD_FAILED: defineError('STRYKE_E_APP_LOAD_FAILED', 'Loading %s failed: %s'),
  BAD_MIDDLEWARE: defineError('STRYKE_E_APP_BAD_MIDDLEWARE', 'Middleware %s (used by the route at %s) is neither a function `(request, reply) => ...` nor a class with a `handle(request, reply)` method.'),
};
