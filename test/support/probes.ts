/** Requests and polls the fault tests share: a timed predownload, readiness, and waiting for a condition. */
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { minimalDirectory, predownloadBody } from "./factories.js";
import type { Stack } from "./stack.js";

export const BODY = predownloadBody();
export const DIRECTORY = minimalDirectory();

export interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** Sends one request as the client application and measures how long its answer took. */
export async function timedPost(stack: Stack): Promise<Answer> {
  const started = Date.now();
  const res = await stack.post(BODY, { token: stack.token("client", "app1") });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, ms: Date.now() - started, headers: res.headers, body };
}

/** Polls `probe` until it returns something, or fails after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface Ready {
  readonly status: number;
  readonly ms: number;
  readonly checks: Record<string, unknown>;
}

export async function readiness(baseUrl: string): Promise<Ready> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}/health/ready`);
  const body = (await res.json()) as { checks: Record<string, unknown> };
  return { status: res.status, ms: Date.now() - started, checks: body.checks };
}

export function expectUnavailable(answer: Answer, withinMs: number): void {
  expect(answer.status, JSON.stringify(answer.body)).to.equal(503);
  expect(answer.body.code).to.equal("503-100");
  expect(answer.headers.get("Retry-After")).to.equal("1");
  expect(answer.ms).to.be.below(withinMs);
}

/** A log destination keeping every line, parsed: `startStack({ logDestination: capture() })`. */
export function capture(): { lines: Array<Record<string, unknown>>; write(line: string): void } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
}
