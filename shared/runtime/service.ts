/**
 * The life of a service process (`npm run api`, `npm run worker`): configuration from the
 * environment (exit 2 naming every bad value), start, then on SIGTERM or SIGINT a graceful stop
 * (exit 0) that finishes the work in hand.
 */
import { ConfigError, loadConfig, type Config, type ConfigNeeds } from "./config.js";
import { createLogger, type Logger } from "./log.js";

/** The longest a graceful stop may take, below the usual 30 s grace period of container runtimes. */
export const SHUTDOWN_LIMIT_MS = 25_000;

export interface Stoppable {
  /** Finishes the work in hand, then releases connections. */
  close(): Promise<void>;
}

export async function runService(name: string, needs: ConfigNeeds, start: (config: Config, log: Logger) => Promise<Stoppable>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, needs);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  const log = createLogger(name, config.logLevel);
  const service = await start(config, log).catch((error: unknown) => {
    console.error(`cannot start the ${name}: ${(error as Error).message}`);
    process.exit(2);
  });

  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, `${name} stopping: finishing the work in hand`);
      // Every step of a close is bounded; this is the last resort if one is not.
      setTimeout(() => {
        log.error({ limitMs: SHUTDOWN_LIMIT_MS }, `${name} did not stop in time; exiting`);
        process.exit(1);
      }, SHUTDOWN_LIMIT_MS).unref();
      service.close().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, `${name} did not stop cleanly`);
          process.exit(1);
        },
      );
    });
  }
}
