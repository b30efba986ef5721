// A real GrpcTuner server (the .NET build output) on a free loopback port, shared by a test file.
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "../../../..");

export interface RunningServer {
  address: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => done(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = tcpConnect(port, "127.0.0.1");
    socket.once("connect", () => { socket.destroy(); done(true); });
    socket.once("error", () => done(false));
  });
}

/** A server with authentication off (--no-auth), or with whatever extra arguments are given instead. */
export async function startServer(...extra: string[]): Promise<RunningServer> {
  const binary = ["Release", "Debug"]
    .map((c) => join(ROOT, "src/GrpcTuner.Server/bin", c, "net10.0/grpctuner-server"))
    .find(existsSync);
  if (binary === undefined) {
    throw new Error("the server is not built: run 'dotnet build GrpcTuner.sln -c Release' (tests/run.sh does) before the TypeScript tests");
  }
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), "grpctuner-ts-"));
  const process: ChildProcess = spawn(binary, ["--port", String(port), "--journal", join(folder, "studies.journal"), "--reap-interval", "00:00:00.200", ...(extra.length > 0 ? extra : ["--no-auth"])], { stdio: "ignore" });
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port))) {
    if (Date.now() > deadline || process.exitCode !== null) {
      process.kill("SIGKILL");
      throw new Error("the server did not start");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address: `127.0.0.1:${port}`,
    stop: () => new Promise((done) => {
      process.once("exit", () => { rmSync(folder, { recursive: true, force: true }); done(); });
      process.kill("SIGTERM");
    }),
  };
}
