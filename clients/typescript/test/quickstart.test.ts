// The TypeScript quickstart in clients/README.md, run exactly as written against a real server.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT, RunningServer, startServer } from "./server";

let server: RunningServer;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

test("the README quickstart runs as written", async () => {
  const readme = readFileSync(join(ROOT, "clients/README.md"), "utf8");
  const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(code, "clients/README.md has no ```js block");
  // The README says to save it in clients/typescript, where its import of ./dist resolves.
  const script = join(ROOT, "clients/typescript", `quickstart-${process.pid}.mjs`);
  writeFileSync(script, code);
  try {
    const { stdout } = await promisify(execFile)("node", [script], {
      cwd: join(ROOT, "clients/typescript"), env: { ...process.env, GRPCTUNER_SERVER: server.address }, timeout: 120_000,
    });
    assert.match(stdout, /x: -?\d/);
    assert.match(stdout, /opt: '(adam|sgd)'/);
  } finally {
    rmSync(script, { force: true });
  }
});
