import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { TEST_TOKEN } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { run } from "./helpers.ts";

let gw: AgentTestGateway;
let id: string;
const target = () => ["--url", gw.url, "--token", TEST_TOKEN];

beforeAll(async () => {
  gw = await startAgentGateway();
  const added = await gw.runtime.cron.handle(
    "add",
    { job: { name: "daily digest", schedule: { kind: "cron", expr: "0 9 * * *", tz: "UTC" }, payload: { kind: "agentTurn", message: "digest" } } },
    { agentId: "main", sessionKey: "agent:main:main" },
  );
  id = (added.job as { id: string }).id;
});
afterAll(() => gw.stop());

describe("openclaw cron", () => {
  test("list --json and the table", async () => {
    const json = await run(["cron", "list", "--json", ...target()]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).jobs).toMatchObject([{ id, name: "daily digest", schedule: { kind: "cron", expr: "0 9 * * *", tz: "UTC" } }]);
    const human = await run(["cron", "list", ...target()]);
    expect(human.stdout).toContain("ID");
    expect(human.stdout).toContain(`${id}  daily digest  main   cron 0 9 * * * (UTC)`);
  }, 15_000);

  test("status", async () => {
    const r = await run(["cron", "status", "--json", ...target()]);
    expect(JSON.parse(r.stdout)).toMatchObject({ enabled: true, jobs: 1, storage: "sqlite" });
    const human = await run(["cron", "status", ...target()]);
    expect(human.stdout).toContain("Cron: enabled\nJobs: 1\n");
  }, 15_000);

  test("run, then remove", async () => {
    const ran = await run(["cron", "run", id, "--json", ...target()]);
    expect(JSON.parse(ran.stdout)).toEqual({ ok: true, ran: true, queued: false });
    await waitUntil(() => gw.store.history("agent:main:main", { limit: 5 }).messages.some((m) => m.content === "echo: digest"), "the run's reply");
    const notDue = await run(["cron", "run", id, "--due", ...target()]);
    expect(notDue.stdout).toContain("Not started: not-due");
    expect((await run(["cron", "remove", id, ...target()])).stdout).toContain(`Removed ${id}`);
    expect((await run(["cron", "remove", id, ...target()])).stdout).toContain(`No job ${id}`);
    expect((await run(["cron", "list", ...target()])).stdout).toContain("No scheduled jobs.");
  }, 15_000);

  test("a missing id is a usage error", async () => {
    const r = await run(["cron", "remove", ...target()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Missing <id>: openclaw cron remove <id>");
  });
});
