/** Grant mode from a caller's side, for the grant tests on one server and on a cluster: issue a grant URL, redeem it, revoke. */
import { expect } from "chai";
import { predownloadBody } from "./factories.js";
import type { Stack } from "./stack.js";

/** `PUBLIC_BASE_URL` of the grant tests: where a proxy would forward `/assets/download/…` from. */
export const PUBLIC_BASE_URL = "https://files.example.test/base";

export interface Issued {
  readonly grant: string;
  readonly contentUrl: string;
}

export interface Grants {
  /** Asks for a URL to `altId` as `actor`; expects 200 with a grant URL under {@link PUBLIC_BASE_URL}. */
  issue(altId?: string, actor?: [string, string]): Promise<Issued>;
  /** The link as the API serves it, redirects not followed. */
  redeem(grant: string, init?: { method?: string; headers?: Record<string, string> }): Promise<Response>;
  /** `POST /assets/revocations` as the admin client with `scope`. */
  revoke(body: unknown, scope?: string): Promise<Response>;
}

export function grantsOf(stack: Stack): Grants {
  return {
    async issue(altId = "att1", actor = ["client", "app1"]) {
      const res = await stack.post(predownloadBody({ altId }), { token: stack.token(...actor) });
      const body = (await res.json()) as { contentUrl: string };
      expect(res.status, JSON.stringify(body)).to.equal(200);
      expect(body.contentUrl.startsWith(`${PUBLIC_BASE_URL}/assets/download/`), body.contentUrl).to.equal(true);
      return { grant: body.contentUrl.slice(`${PUBLIC_BASE_URL}/assets/download/`.length), contentUrl: body.contentUrl };
    },
    redeem(grant, init = {}) {
      return fetch(`${stack.api.url}/assets/download/${grant}`, { redirect: "manual", ...init });
    },
    revoke(body, scope = "grants:revoke") {
      return fetch(`${stack.api.url}/assets/revocations`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${stack.token("client", "admin", { scope })}` },
        body: JSON.stringify(body),
      });
    },
  };
}

/** Expects a refusal with `code` (`<status>-<number>`) in the usual error body. */
export async function expectRefused(res: Response, code: string): Promise<void> {
  const body = (await res.json()) as { code: string };
  expect([res.status, body.code]).to.deep.equal([Number(code.slice(0, 3)), code]);
}
