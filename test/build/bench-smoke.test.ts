// Smoke test for `bun run bench`: a --quick run with the bare server standing in for the gateway
// must produce a finite, positive figure on both sides of every metric.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");

test(
  "bench --quick --json measures every metric (bare server as the gateway)",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
    const proc = Bun.spawn(
      [
        process.execPath,
        "bench/run.ts",
        "--quick",
        "--json",
        "--out",
        join(dir, "last.json"),
        "--gateway-cmd",
        `${process.execPath} bench/bare.ts --port {port} --token {token}`,
      ],
      { cwd: ROOT, stdout: "pipe", stderr: "pipe", stdin: "ignore" },
    );
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    rmSync(dir, { recursive: true, force: true });
    if (code !== 0) throw new Error(`bench exited ${code}\n${stderr}\n${stdout}`);
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!);
    const expected = [
      "idleRssMB",
      "perConnKiB",
      "helloP50Ms",
      "helloP99Ms",
      "health1x1Rps",
      "health50x4Rps",
      "presence1x1Rps",
      "presence50x4Rps",
      "startupSrcMs",
    ];
    expect(Object.keys(report.metrics)).toEqual(expect.arrayContaining(expected));
    for (const [key, m] of Object.entries<any>(report.metrics)) {
      for (const side of ["gateway", "bare"]) {
        const v = m[side];
        if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) throw new Error(`${key}.${side} = ${v}`);
      }
    }
  },
  45_000,
);
