/** `npm run worker`: one worker process, configured by the environment only. */
import { runService } from "../shared/runtime/service.js";
import { startWorker } from "./worker.js";

await runService("worker", { s3: true }, async (config, log) => {
  const worker = await startWorker(config, log);
  log.info({ concurrency: config.workerConcurrency }, "worker started");
  return worker;
});
