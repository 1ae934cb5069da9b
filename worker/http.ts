/** The worker's small HTTP server (`WORKER_HTTP_PORT`): `/health/live`, `/health/ready`, `/metrics`. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { healthBody, type Readiness } from "../shared/health.js";
import { METRICS_CONTENT_TYPE } from "../shared/metrics.js";

export interface WorkerHttp {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

export async function startWorkerHttp(port: number, registry: Registry, readiness: () => Promise<Readiness>): Promise<WorkerHttp> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (path !== "/health/live" && path !== "/health/ready" && path !== "/metrics") return send(404, "application/json", JSON.stringify({ status: "not_found" }));
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "application/json", JSON.stringify({ status: "method_not_allowed" }), { Allow: "GET, HEAD" });
    const answer = async () => {
      if (path === "/health/live") return send(200, "application/json", JSON.stringify({ status: "live" }));
      if (path === "/health/ready") {
        const { status, body } = healthBody(await readiness());
        return send(status, "application/json", body);
      }
      return send(200, METRICS_CONTENT_TYPE, await registry.metrics());
    };
    answer().catch(() => send(500, "application/json", JSON.stringify({ status: "error" })));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, resolve);
  });
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
