// Install refusals that --force never overrides, at the service layer (uid injected).
import { expect, test } from "bun:test";
import { resolvePaths } from "../../src/config/paths.ts";
import type { ServiceManagerExec } from "../../src/service/exec.ts";
import { createServiceContext, ServiceError, type ServicePlatform } from "../../src/service/identity.ts";
import { runInstall } from "../../src/service/install.ts";
import { tempDir } from "../fixtures/gateway.ts";

function context(platform: ServicePlatform, env: Record<string, string>, uid: number) {
  const ran: string[][] = [];
  const exec: ServiceManagerExec = { run: async (argv) => (ran.push(argv), { code: 0, stdout: "", stderr: "" }) };
  const home = tempDir("guard-home-");
  const fullEnv = { HOME: home, USER: "root", ...env };
  const sc = { ...createServiceContext({ env: fullEnv, paths: resolvePaths({ env: fullEnv }), exec, platform }), uid };
  return { sc, ran };
}

const opts = { scope: "user" as const, force: true, dryRun: false, allowUnconfigured: true };

test("sudo to root: a user unit would land in root's user manager, so it is refused", async () => {
  const { sc, ran } = context("linux", { SUDO_USER: "alice" }, 0);
  const err = await runInstall(sc, opts).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ServiceError);
  expect((err as ServiceError).message).toBe("Refusing a sudo-to-root systemd user-service install: it would land in root's user manager.");
  expect((err as ServiceError).hints).toContain("Or install a system unit: sudo openclaw gateway install --system");
  expect(ran).toEqual([]);
});

test("sudo --system warns when the state dir is in root's home but the unit runs as the sudo user", async () => {
  const { sc } = context("linux", { SUDO_USER: "alice" }, 0);
  const out = await runInstall({ ...sc, root: tempDir("guard-root-") }, { ...opts, scope: "system", dryRun: true });
  expect(out.warnings.join("\n")).toContain(`The unit runs as alice but its state dir ${sc.paths.stateDir} is under ${sc.home}`);
  expect(out.plan!.files[1]!.content).toContain("User=alice\n");
});

test("--system is Linux only", async () => {
  for (const platform of ["darwin", "win32"] as const) {
    const { sc } = context(platform, {}, 501);
    await expect(runInstall(sc, { ...opts, scope: "system" })).rejects.toThrow("--system is only supported on Linux (systemd).");
  }
});
