/**
 * The `stryke` command line. Its entry is ./bin.ts (bin/stryke.js requires it), which registers the commands of
 * ./commands/; other concerns import nothing from it but its error codes.
 */
export { CliErrors } from './errors';
