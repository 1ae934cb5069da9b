/**
 * The worker's small HTTP server (`WORKER_HTTP_PORT` on `WORKER_HTTP_HOST`): `/health/live`,
 * `/health/ready`, `/metrics`. It binds to loopback unless told otherwise: probes and scrapes that
 * come from another host or container need `WORKER_HTTP_HOST` set to an address they can reach.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { healthBody, type Readiness } from "../shared/runtime/health.js";
import { METRICS_CONTENT_TYPE } from "../shared/runtime/metrics.js";

export interface WorkerHttp {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

export async function startWorkerHttp(port: number, host: string, registry: Registry, readiness: () => Promise<Readiness>): Promise<WorkerHttp> {
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
    server.listen(port, host, resolve);
  });
  return {
    server,
    url: `http://${urlHost((server.address() as AddressInfo).address)}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** How a client reaches the bound address: a wildcard through loopback, IPv6 in brackets. */
function urlHost(address: string): string {
  if (address === "0.0.0.0" || address === "::") return "127.0.0.1";
  return address.includes(":") ? `[${address}]` : address;
}
