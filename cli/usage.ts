/** What every CLI does with a wrong command line or a bad configuration: exit 2, saying why. */
import { ConfigError } from "../shared/runtime/config.js";

/** The command line is wrong: exit 2 with the usage. */
export class UsageError extends Error {}

/**
 * Writes why the command cannot run and answers its exit code, 2, for a {@link UsageError} (with the
 * usage) or a `ConfigError` (with `configHint`, a line, when given); undefined for any other error.
 */
export function usageExit(error: unknown, usage: string, configHint?: string): 2 | undefined {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n${usage}\n`);
    return 2;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n${configHint === undefined ? "" : `${configHint}\n`}`);
    return 2;
  }
  return undefined;
}
