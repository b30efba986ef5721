// The TypeScript client against a server with TLS and API keys: a CA file, a bearer token, and the refusals.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServiceError, status } from "@grpc/grpc-js";
import { createStudy, float, loadStudy } from "../src";
import { ROOT, RunningServer, startServer } from "./server";

const ADMIN_KEY = "typescript-tests-admin-key";
let server: RunningServer;
let certs: string;

function makeCerts(): string {
  const folder = mkdtempSync(join(tmpdir(), "grpctuner-certs-"));
  execFileSync("bash", [join(ROOT, "clients/testing/make-certs.sh"), folder]);
  return folder;
}

before(async () => {
  certs = makeCerts();
  server = await startServer("--admin-key", ADMIN_KEY, "--tls-cert", join(certs, "server.pem"), "--tls-key", join(certs, "server.key"));
});
after(async () => {
  await server.stop();
  rmSync(certs, { recursive: true, force: true });
});

async function code(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    return (error as ServiceError).code;
  }
  return assert.fail("the call succeeded");
}

test("TLS with a CA file and an API key", async () => {
  const name = `ts-tls-${randomUUID().slice(0, 8)}`;
  const options = { server: server.address, apiKey: ADMIN_KEY, caFile: join(certs, "ca.pem") };
  const study = await createStudy(name, { x: float(0, 1) }, "minimize", options);
  await study.tell(await study.ask(), 0.25);
  const loaded = await loadStudy(name, options);
  assert.equal((await loaded.bestTrial())?.value, 0.25);
  study.close();
  loaded.close();
});

test("without a key the call is unauthenticated", async () => {
  assert.equal(await code(loadStudy("anything", { server: server.address, apiKey: "", caFile: join(certs, "ca.pem") })), status.UNAUTHENTICATED);
});

test("a server certificate from another CA is refused", async () => {
  const other = makeCerts();
  try {
    assert.equal(await code(loadStudy("anything", { server: server.address, apiKey: ADMIN_KEY, caFile: join(other, "ca.pem") })), status.UNAVAILABLE);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test("an https address without a CA file trusts the default roots", () => {
  // grpc-js reads its default roots once per process, so each case runs in a fresh one; GRPC_DEFAULT_SSL_ROOTS_FILE_PATH
  // stands in for a root store that holds the test CA, which a test cannot change.
  const script = `import("${join(ROOT, "clients/typescript/dist/src/index.js")}").then(async ({ loadStudy }) => {
    try { await loadStudy("anything", { server: "https://${server.address}", apiKey: "${ADMIN_KEY}" }); }
    catch (e) { console.log(e.code); } })`;
  const run = (extra: Record<string, string>) => {
    const env = { ...process.env, ...extra };
    delete env.GRPCTUNER_CA_FILE;
    if (!("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH" in extra)) {
      delete env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH;
    }
    return execFileSync("node", ["-e", script], { env, encoding: "utf8" }).trim();
  };
  // Trusted: the call reaches the server, which answers NOT_FOUND for the unknown study.
  assert.equal(run({ GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: join(certs, "ca.pem") }), String(status.NOT_FOUND));
  assert.equal(run({}), String(status.UNAVAILABLE));
});
