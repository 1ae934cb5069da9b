/** `npm run api`: one API process, configured by the environment only. */
import { ConfigError, loadConfig } from "../shared/config.js";
import { createLogger } from "../shared/log.js";
import { startApi } from "./server.js";

let config;
try {
  config = loadConfig(process.env, { jwt: true });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const log = createLogger("api", config.logLevel);
const api = await startApi(config, log).catch((error: unknown) => {
  console.error(`cannot start the API: ${(error as Error).message}`);
  process.exit(2);
});
log.info({ address: api.url }, "api listening");

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "api stopping: finishing in-flight requests");
    api.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "api did not stop cleanly");
        process.exit(1);
      },
    );
  });
}
