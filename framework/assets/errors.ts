import { defineError } from '../support';

export const AssetErrors = {
  NOT_FOUND: defineError('STRYKE_E_ASSET_NOT_FOUND', 'Asset "%s" not found: looked in %s. Add the file to public/, or fix the name.'),
  BAD_MANIFEST: defineError('STRYKE_E_ASSET_MANIFEST', 'The asset manifest %s cannot be read (%s). Run `stryke build` again.'),
  BUILD_FAILED: defineError('STRYKE_E_ASSET_BUILD', 'stryke build failed: %s'),
};
