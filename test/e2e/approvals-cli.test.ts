// `openclaw approvals …` (the real CLI, spawned) against a gateway in this process: pending
// prompts raised through the gateway's approval service and decided from the CLI, and the host
// document edited with get/set/allowlist. An approval client socket keeps prompts routable.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ExecApprovalInput, ExecDecision } from "../../src/agents/tools/types.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

setDefaultTimeout(60_000);

const ROOT = resolve(import.meta.dir, "../..");
let gw: TestGateway;
let home: string;
let approvalClient: RawClient;

beforeAll(async () => {
  gw = await startTestGateway();
  home = tempDir("approvals-cli-");
  approvalClient = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"], extra: { caps: ["exec-approvals"] } });
});
afterAll(async () => {
  approvalClient.close();
  await gw.stop();
});

async function cli(args: string[], stdin?: string) {
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/main.ts"), ...args, "--url", gw.url, "--token", TEST_TOKEN], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe", stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** A prompt raised the way the exec tool raises one; resolves with what the CLI decided. */
async function prompt(command = "echo from-cli-test", allowedDecisions: ExecDecision[] = ["allow-once", "allow-always", "deny"]) {
  let id = "";
  const input: ExecApprovalInput = {
    command, host: "gateway", security: "allowlist", ask: "on-miss", agentId: "main", sessionKey: "agent:main:main", allowedDecisions,
  };
  const outcome = gw.runtime.approvals.request(input, { onPending: (i) => (id = i) });
  await waitUntil(() => id, "the prompt to be pending");
  return { id, outcome };
}

describe("pending prompts", () => {
  test("pending --json and the human table", async () => {
    const empty = await cli(["approvals", "pending", "--json"]);
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout)).toEqual({ approvals: [] });
    expect((await cli(["approvals", "list"])).stdout.trim()).toBe("No pending approvals.");

    const { id, outcome } = await prompt("echo pending-one");
    const json = await cli(["approvals", "pending", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({
      approvals: [{ id, kind: "exec", agentId: "main", sessionKey: "agent:main:main", createdAtMs: expect.any(Number), expiresAtMs: expect.any(Number), summary: "echo pending-one" }],
    });
    const human = await cli(["exec-approvals", "pending"]);
    expect(human.code).toBe(0);
    const lines = human.stdout.split("\n");
    expect(lines[0]).toBe("Pending approvals (1)");
    expect(lines[1]).toMatch(/^ID\s+Kind\s+Agent \/ Session\s+Requested\s+Expires in\s+Command \/ Summary$/);
    expect(lines[2]).toMatch(new RegExp(`^${id}\\s+exec\\s+main / agent:main:main\\s+\\d+s ago\\s+30m\\s+echo pending-one$`));
    await approvalClient.request("exec.approval.resolve", { id, decision: "deny" });
    expect((await outcome).decision).toBe("deny");
  });

  test("resolve allow-once, the same again, then a different decision", async () => {
    const { id, outcome } = await prompt();
    const first = await cli(["approvals", "resolve", id, "allow-once", "--json"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      applied: true, alreadyResolved: false,
      approval: { id, status: "allowed", decision: "allow-once", reason: "user", resolver: { kind: "runtime", id: "cli" } },
    });
    expect(await outcome).toEqual({ id, decision: "allow-once" });
    const again = await cli(["approvals", "resolve", id, "allow-once"]);
    expect({ code: again.code, out: again.stdout.trim() }).toEqual({ code: 0, out: `Approval ${id} already resolved (same decision: allow-once) by runtime:cli.` });
    const other = await cli(["approvals", "resolve", id, "deny"]);
    expect(other.code).toBe(1);
    expect(other.stderr.trim()).toBe(`Error: Approval ${id} was already resolved with allow-once by runtime:cli.`);
  });

  test("approve --always and deny", async () => {
    const a = await prompt();
    const approved = await cli(["approvals", "approve", a.id, "--always"]);
    expect({ code: approved.code, out: approved.stdout.trim() }).toEqual({ code: 0, out: `Approval ${a.id} resolved allow-always by runtime:cli.` });
    expect((await a.outcome).decision).toBe("allow-always");
    const d = await prompt();
    expect((await cli(["approvals", "deny", d.id])).code).toBe(0);
    expect((await d.outcome).decision).toBe("deny");
  });

  test("a decision the prompt does not offer is refused before anything is sent", async () => {
    const { id, outcome } = await prompt("echo once-only", ["allow-once", "deny"]);
    const r = await cli(["approvals", "approve", id, "--always"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`Error: allow-always is not offered for approval ${id}; allowed: allow-once, deny`);
    expect(gw.runtime.approvals.records.get(id)?.status).toBe("pending");
    await approvalClient.request("exec.approval.resolve", { id, decision: "deny" });
    await outcome;
  });

  test("unknown ids and bad decisions", async () => {
    const unknown = await cli(["approvals", "resolve", "no-such-id", "deny"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("approval.get failed: INVALID_REQUEST: approval not found");
    const json = await cli(["approvals", "resolve", "no-such-id", "deny", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { type: "gateway_request_error", code: "INVALID_REQUEST", details: { reason: "APPROVAL_NOT_FOUND" } } });
    const bad = await cli(["approvals", "resolve", "x", "maybe"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Decision must be one of: allow-once, allow-always, deny (got "maybe")');
    expect((await cli(["approvals", "deny"])).code).toBe(2);
  });
});

describe("the host document", () => {
  test("get, set from a JSON5 file and from stdin, allowlist add and remove", async () => {
    const got = await cli(["approvals", "get", "--json"]);
    expect(got.code).toBe(0);
    const first = JSON.parse(got.stdout);
    expect(first).toMatchObject({ exists: true, file: { version: 1 }, resolvedDefaults: { security: "full", ask: "off", askFallback: "deny", autoAllowSkills: false } });

    const file = join(home, "approvals.json5");
    writeFileSync(file, "// cautious host\n{ defaults: { security: 'allowlist', ask: 'on-miss', }, agents: { main: { allowlist: [{ pattern: 'rg' }] } } }\n");
    const set = await cli(["approvals", "set", "--gateway", "--file", file]);
    expect(set.code).toBe(0);
    expect(set.stdout.trim()).toMatch(/^Exec approvals updated \(hash [0-9a-f]{12}\)\.$/);
    expect(gw.runtime.approvals.effectivePolicy("main", { security: "full", ask: "off" })).toEqual({ security: "allowlist", ask: "on-miss", askFallback: "deny" });

    const human = await cli(["approvals", "get"]);
    expect(human.stdout).toContain("Defaults: security=allowlist ask=on-miss askFallback=deny autoAllowSkills=false");
    expect(human.stdout).toMatch(/main\s+rg\s+\(any\)/);

    const added = await cli(["approvals", "allowlist", "add", "--agent", "main", "/usr/bin/uptime", "--json"]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout).file.agents.main.allowlist.map((e: { pattern: string }) => e.pattern)).toEqual(["rg", "/usr/bin/uptime"]);
    expect(gw.runtime.approvals.allowlisted("main", ["uptime"], "/usr/bin/uptime")).toBe(true);
    const before = gw.runtime.approvals.snapshot().hash;
    const dup = await cli(["approvals", "allowlist", "add", "--agent", "main", "/usr/bin/uptime"]);
    expect(dup.stdout.trim()).toBe("Already allowlisted for main: /usr/bin/uptime");
    expect(gw.runtime.approvals.snapshot().hash).toBe(before);

    const star = await cli(["approvals", "allowlist", "add", "ls"]);
    expect(star.stdout.trim()).toBe("Allowlisted for *: ls");
    expect(gw.runtime.approvals.allowlisted("other-agent", ["ls"], null)).toBe(true);
    expect((await cli(["approvals", "allowlist", "remove", "ls"])).stdout.trim()).toBe("Removed from the allowlist of *: ls");
    expect(gw.runtime.approvals.snapshot().file.agents?.["*"]).toBeUndefined();
    expect((await cli(["approvals", "allowlist", "remove", "ls"])).stdout.trim()).toBe("Not in the allowlist of *: ls");

    const reset = await cli(["approvals", "set", "--stdin", "--json"], "{ version: 1 }");
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.stdout).file).toEqual({ version: 1 });
  });

  test("bad input: unparsable file, both sources, neither, invalid document", async () => {
    const broken = join(home, "broken.json");
    writeFileSync(broken, "{ defaults: ");
    const r = await cli(["approvals", "set", "--file", broken]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${broken}: not valid JSON5 at line 1`);
    expect((await cli(["approvals", "set"])).stderr).toContain("Provide --file <path> or --stdin");
    expect((await cli(["approvals", "set", "--file", broken, "--stdin"])).code).toBe(2);
    const invalid = await cli(["approvals", "set", "--stdin"], '{"defaults":{"ask":"sometimes"}}');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("exec.approvals.set failed: INVALID_REQUEST: invalid exec approvals file: at /defaults/ask");
    expect((await cli(["approvals", "allowlist", "add", "  "])).code).toBe(2);
  });
});
