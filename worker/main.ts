/** `npm run worker`: one worker process, configured by the environment only. */
import { ConfigError, loadConfig } from "../shared/config.js";
import { createLogger } from "../shared/log.js";
import { startWorker } from "./worker.js";

let config;
try {
  config = loadConfig(process.env, { s3: true });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const log = createLogger("worker", config.logLevel);
const running = await startWorker(config, log);
log.info({ concurrency: config.workerConcurrency }, "worker started");

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "worker stopping: finishing active jobs");
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "worker did not stop cleanly");
        process.exit(1);
      },
    );
  });
}
