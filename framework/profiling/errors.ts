import { defineError } from '../support';

export const ProfErrors = {
  BAD_OPTION: defineError('STRYKE_E_PROF_BAD_OPTION', '%s (see `stryke prof --help`).'),
  APP_FAILED: defineError('STRYKE_E_PROF_APP_FAILED', 'The app did not start under the profiler: %s'),
  NO_ANSWER: defineError('STRYKE_E_PROF_NO_ANSWER', 'No request to %s was answered (%s): check the path with `stryke routes` and that the app starts with `stryke server`.'),
};
