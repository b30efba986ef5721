// The committed stubs must be what generate.sh makes from protos/ today.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const here = join(__dirname, "../..");

function files(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test("the generated code matches the protos", () => {
  const out = mkdtempSync(join(tmpdir(), "grpctuner-gen-"));
  try {
    execFileSync("bash", [join(here, "generate.sh"), out], { stdio: "inherit" });
    const fresh = files(out).map((f) => relative(out, f)).sort();
    const committed = files(join(here, "src/gen")).map((f) => relative(join(here, "src/gen"), f)).sort();
    assert.deepEqual(committed, fresh, "src/gen has other files than generate.sh makes: run clients/typescript/generate.sh");
    for (const file of fresh) {
      assert.ok(readFileSync(join(out, file)).equals(readFileSync(join(here, "src/gen", file))),
        `src/gen/${file} is stale: run clients/typescript/generate.sh`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
