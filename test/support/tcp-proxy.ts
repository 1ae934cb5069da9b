/**
 * One address in front of Redis servers, as a managed Redis endpoint, a proxy or a DNS name is:
 * new connections go to the current target; `moveTo` changes it for new connections only, and
 * connections already open stay with the server they reached (as they do after a managed failover).
 */
import { createConnection, createServer, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

export interface TcpProxy {
  readonly url: string;
  /** Sends new connections to `port` on 127.0.0.1 from now on. */
  moveTo(port: number): void;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /**
   * Holds each command `name` (RESP-encoded, as clients send it) this long on its way to the
   * server, and what the client sent after it, so that the order is kept. `TIME` held makes a
   * process that measures its offset to Redis's clock (half the round trip allowed for) run ahead
   * by about half the delay, while its other commands mostly pass at once.
   */
  readonly hold?: { readonly name: string; readonly delayMs: number };
}

export async function tcpProxy(targetPort: number, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  let target = targetPort;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: target });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    if (options.hold === undefined) client.pipe(upstream);
    else forwardHolding(client, upstream, options.hold);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    moveTo: (next) => void (target = next),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Forwards `from` to `to`, holding a chunk that holds the command `hold.name`, and every chunk after it, `hold.delayMs`. */
function forwardHolding(from: Socket, to: Socket, hold: { readonly name: string; readonly delayMs: number }): void {
  // Clients send command names in either case (ioredis: lower).
  const markers = [hold.name.toUpperCase(), hold.name.toLowerCase()].map((name) => Buffer.from(`$${Buffer.byteLength(name)}\r\n${name}\r\n`));
  const queue: Buffer[] = [];
  let heldUntil = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const wait = heldUntil - performance.now();
    if (wait > 0) timer = setTimeout(flush, wait);
    else for (const chunk of queue.splice(0)) if (!to.destroyed) to.write(chunk);
  };
  from.on("data", (chunk: Buffer) => {
    if (markers.some((marker) => chunk.includes(marker))) heldUntil = Math.max(heldUntil, performance.now() + hold.delayMs);
    queue.push(chunk);
    if (timer === undefined) flush();
  });
  from.on("end", () => to.end());
}
