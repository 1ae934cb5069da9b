/** The API process's parts, wired once: Redis clients, queue producer, reply listener, HTTP server. */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import type { Config } from "../shared/config.js";
import type { SignJobData, SignJobName, SignJobReturn } from "../shared/job.js";
import { keys as makeKeys, SIGN_QUEUE } from "../shared/keys.js";
import type { Logger } from "../shared/log.js";
import { createRedis } from "../shared/redis.js";
import { createApp } from "./app.js";
import { queuedSign, Replies } from "./replies.js";
import { createTokenVerifier, loadVerificationKeys } from "./tokens.js";

export interface RunningApi {
  readonly server: Server;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, then disconnects. */
  close(): Promise<void>;
}

export async function startApi(config: Config, log: Logger): Promise<RunningApi> {
  const verifyToken = createTokenVerifier(config.jwt, loadVerificationKeys(config.jwt));
  const keys = makeKeys(config.keyPrefix, config.auditStream);
  const redis = createRedis(config.redisUrl, "command", log);
  const subscriber = createRedis(config.redisUrl, "subscriber", log);
  const instanceId = randomUUID();
  const replies = new Replies(subscriber, redis, keys, instanceId, log);
  const queue = new Queue<SignJobData, SignJobReturn, SignJobName>(SIGN_QUEUE, {
    connection: redis,
    prefix: config.keyPrefix,
    defaultJobOptions: {
      attempts: 3,
      backoff: { type: "fixed", delay: 100 },
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600, count: 1000 },
    },
  });
  queue.on("error", (error) => log.warn({ err: error }, "queue error"));
  await replies.start().catch((error: unknown) => log.warn({ err: error }, "reply channel not subscribed yet"));

  const sign = queuedSign(queue, replies, log);
  const app = createApp({ sign, instanceId, requestTimeoutMs: config.requestTimeoutMs, log, redis, keys, verifyToken });
  app.on("error", (error: Error) => log.debug({ err: error }, "koa error"));
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close();
      await Promise.all([redis, subscriber].map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}
