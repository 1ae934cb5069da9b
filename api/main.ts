/** `npm run api`: one API process, configured by the environment only. */
import { runService } from "../shared/runtime/service.js";
import { startApi } from "./server.js";

await runService("api", { jwt: true }, async (config, log) => {
  const api = await startApi(config, log);
  log.info({ address: api.url }, "api listening");
  return api;
});
