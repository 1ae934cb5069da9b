/**
 * The API's listeners: a request must arrive whole within REQUEST_TIMEOUT_MS, open connections are
 * capped by MAX_CONNECTIONS, and `/health/*` and `/metrics` move to a listener of their own when
 * OPS_PORT is set.
 */
import { connect, type AddressInfo, type Socket } from "node:net";
import { expect } from "chai";
import { activity, attachment, client, department } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";

const REQUEST_TIMEOUT_MS = 1000;
/** Generous: the answer must come about REQUEST_TIMEOUT_MS after the request began, not much later. */
const LATE_MS = REQUEST_TIMEOUT_MS + 2000;
const DIRECTORY = [department("d1"), client("app1"), activity("a1"), attachment("att1")];
const BODY = JSON.stringify({ app: "email", type: "attachment.inbound", altId: "att1" });

interface Exchange {
  /** Everything the server sent. */
  readonly text: string;
  /** When the connection closed, from the first byte sent; undefined when it was still open at `giveUpMs`. */
  readonly closedAfterMs: number | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens a connection to `url`, writes `head` and then each of `trickle` one every `everyMs` until
 * the server closes the connection or `giveUpMs` has passed.
 */
function trickle(url: string, head: string, pieces: readonly string[], everyMs: number, giveUpMs: number): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const started = performance.now();
    let text = "";
    let closed = false;
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      closed = true;
      clearTimeout(giveUp);
      resolve({ text, closedAfterMs: performance.now() - started });
    });
    const giveUp = setTimeout(() => {
      socket.destroy();
      if (!closed) resolve({ text, closedAfterMs: undefined });
    }, giveUpMs);
    socket.write(head);
    void (async () => {
      for (const piece of pieces) {
        await sleep(everyMs);
        if (closed || socket.destroyed) return;
        socket.write(piece);
      }
    })();
  });
}

/** A connection that has been served one request and is kept open (keep-alive). */
async function openConnection(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once("data", () => resolve());
    socket.once("close", () => reject(new Error("closed without an answer")));
    socket.write(`GET /health/live HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  });
  return socket;
}

/** Whether a new connection is served (true) or closed without an answer (false). */
async function served(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = "";
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (text.includes("\r\n\r\n")) {
        socket.destroy();
        resolve(text.startsWith("HTTP/1.1 200"));
      }
    });
    socket.on("close", () => resolve(text.startsWith("HTTP/1.1 200")));
    socket.write(`GET /health/live HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
  });
}

describe("listeners", () => {
  describe(`a request that is slower than REQUEST_TIMEOUT_MS (${REQUEST_TIMEOUT_MS} ms)`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
      await stack.importLines(DIRECTORY);
    });
    after(async () => stack?.close());

    it("answers a body trickled a byte at a time with 408-100, closes the connection, and audits it", async function () {
      this.timeout(10_000);
      const head = [
        "POST /assets/predownload HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        `Content-Length: ${BODY.length}`,
        `Authorization: Bearer ${stack.token("client", "app1")}`,
        "X-Request-Id: slow-body-1",
        "",
        "",
      ].join("\r\n");
      const exchange = await trickle(stack.api.url, head, [...BODY], 100, LATE_MS);
      expect(exchange.closedAfterMs, `still open after ${LATE_MS} ms; got ${exchange.text}`).to.be.a("number");
      expect(exchange.closedAfterMs!).to.be.within(REQUEST_TIMEOUT_MS * 0.9, LATE_MS);
      expect(exchange.text).to.match(/^HTTP\/1\.1 408 /);
      expect(exchange.text).to.match(/\r\nconnection: close\r\n/i);
      const body = JSON.parse(exchange.text.slice(exchange.text.indexOf("\r\n\r\n") + 4)) as { code: string };
      expect(body.code).to.equal("408-100");
      const events = (await stack.auditEvents()).filter((e) => e.requestId === "slow-body-1");
      expect(events.map((e) => [e.outcome, e.reason])).to.deep.equal([["invalid", "408-100"]]);
    });

    it("closes a connection whose body nobody reads keeps trickling in, a little after REQUEST_TIMEOUT_MS", async function () {
      this.timeout(10_000);
      const head = ["POST /no-such-route HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", "Content-Length: 100", "", ""].join("\r\n");
      const exchange = await trickle(stack.api.url, head, Array.from({ length: 100 }, () => " "), 100, LATE_MS);
      expect(exchange.text).to.match(/^HTTP\/1\.1 404 /);
      expect(exchange.closedAfterMs, `still open after ${LATE_MS} ms; got ${exchange.text}`).to.be.a("number");
      expect(exchange.closedAfterMs!).to.be.within(REQUEST_TIMEOUT_MS * 0.9, LATE_MS);
    });

    it("closes a connection whose headers trickle in, within about REQUEST_TIMEOUT_MS", async function () {
      this.timeout(10_000);
      const headers = Array.from({ length: 100 }, (_, i) => `X-Slow-${i}: ${i}\r\n`);
      const exchange = await trickle(stack.api.url, "POST /assets/predownload HTTP/1.1\r\nHost: 127.0.0.1\r\n", headers, 100, LATE_MS);
      expect(exchange.closedAfterMs, `still open after ${LATE_MS} ms; got ${exchange.text}`).to.be.a("number");
      expect(exchange.closedAfterMs!).to.be.within(REQUEST_TIMEOUT_MS * 0.9, LATE_MS);
      // Node answers before the application sees the request: a bare 408, or nothing.
      if (exchange.text !== "") expect(exchange.text).to.match(/^HTTP\/1\.1 408 /);
    });
  });

  describe("MAX_CONNECTIONS", () => {
    const MAX = 3;
    let stack: Stack;
    before(async () => {
      stack = await startStack({ worker: false, env: { MAX_CONNECTIONS: String(MAX) } });
    });
    after(async () => stack?.close());

    it(`closes connection ${MAX + 1} while ${MAX} are open, and serves again once one has closed`, async function () {
      this.timeout(30_000);
      const open = await Promise.all(Array.from({ length: MAX }, () => openConnection(stack.api.url)));
      try {
        expect(await served(stack.api.url), `connection ${MAX + 1}`).to.equal(false);
        expect(open.every((socket) => !socket.destroyed), "the first ones stay open").to.equal(true);
        const closing = new Promise((resolve) => open[0]!.once("close", resolve));
        open[0]!.destroy();
        await closing;
        // The server learns of the close a moment after the client.
        let again = false;
        for (let i = 0; i < 100 && !again; i++) {
          again = await served(stack.api.url);
          if (!again) await sleep(50);
        }
        expect(again, "served once a connection closed").to.equal(true);
      } finally {
        for (const socket of open) socket.destroy();
      }
    });
  });

  describe("the worker's health and metrics port", () => {
    let stacks: Stack[] = [];
    after(async () => Promise.all(stacks.map((s) => s.close())));

    it("binds to loopback unless WORKER_HTTP_HOST names another address", async () => {
      stacks = await Promise.all([startStack(), startStack({ env: { WORKER_HTTP_HOST: "0.0.0.0" } })]);
      const bound = stacks.map((s) => (s.worker!.http.server.address() as AddressInfo).address);
      expect(bound).to.deep.equal(["127.0.0.1", "0.0.0.0"]);
      for (const s of stacks) expect((await fetch(`${s.worker!.http.url}/health/live`)).status).to.equal(200);
    });
  });

  describe("OPS_PORT", () => {
    const OPS_PATHS = ["/health/live", "/health/ready", "/metrics"];
    let single: Stack;
    let split: Stack;
    before(async () => {
      [single, split] = await Promise.all([startStack({ worker: false }), startStack({ worker: false, env: { OPS_PORT: "0" } })]);
    });
    after(async () => Promise.all([single?.close(), split?.close()]));

    it("serves /health/* and /metrics on PORT by default, and only on OPS_PORT when it is set", async () => {
      expect(single.api.opsUrl).to.equal(undefined);
      for (const path of OPS_PATHS) expect((await fetch(`${single.api.url}${path}`)).status, `${path} on PORT by default`).to.be.oneOf([200, 503]);

      expect(split.api.opsUrl).to.be.a("string").and.not.equal(split.api.url);
      for (const path of OPS_PATHS) {
        const onOps = await fetch(`${split.api.opsUrl!}${path}`);
        expect(onOps.status, `${path} on OPS_PORT`).to.be.oneOf([200, 503]);
        if (path === "/metrics") expect(await onOps.text()).to.include("predownload_http_requests_total");
        const onPort = await fetch(`${split.api.url}${path}`);
        expect(onPort.status, `${path} on PORT`).to.equal(404);
        expect(((await onPort.json()) as { code: string }).code).to.equal("404-101");
      }
      // The endpoint stays on PORT and is not served on OPS_PORT.
      expect((await split.post(JSON.parse(BODY))).status).to.equal(401);
      expect((await fetch(`${split.api.opsUrl!}/assets/predownload`, { method: "POST" })).status).to.equal(404);
      expect((await fetch(`${split.api.url}/openapi.json`)).status).to.equal(200);
    });
  });
});
