// `gateway run --force`: listener discovery (lsof, /proc, netstat) on fixtures, the SIGTERM → SIGKILL
// escalation on a fake process table, and one real run against a throwaway Bun listener.
import { afterEach, describe, expect, test } from "bun:test";
import {
  type CommandResult,
  type Discovery,
  findListeners,
  forceFreePort,
  ForcePortError,
  parseLsof,
  parseNetstat,
  parseProcNetTcp,
  type ProcessControl,
  systemControl,
  systemDiscovery,
} from "../../src/gateway/force.ts";
import { freePort } from "../fixtures/spawn.ts";
import { waitUntil } from "../fixtures/wait.ts";

// ------------------------------------------------------------------ fixtures

const LSOF_OUT = "p4242\ncpython3\np4243\ncbun\n";

// Port 18832 = 0x4990. Rows: IPv4 LISTEN on 127.0.0.1 (inode 9001), an ESTABLISHED row on the same port
// (01, ignored), a LISTEN on another port (ignored).
const PROC_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:4990 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 9001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:4990 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 9002 1 0000000000000000 20 4 30 10 -1
   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9003 1 0000000000000000 100 0 0 10 0
`;
const PROC_TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:4990 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 9004 1 0000000000000000 100 0 0 10 0
`;

const NETSTAT_OUT = `
Active Connections

  Proto  Local Address          Foreign Address        State           PID
  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1040
  TCP    0.0.0.0:18832          0.0.0.0:0              LISTENING       5150
  TCP    127.0.0.1:18832        127.0.0.1:50111        ESTABLISHED     5150
  TCP    [::]:18832             [::]:0                 LISTENING       5150
  TCP    0.0.0.0:188320         0.0.0.0:0              LISTENING       7
`;

interface FakeDiscoveryInit {
  platform?: NodeJS.Platform;
  /** Keyed by argv[0]; absent = not installed. */
  commands?: Record<string, CommandResult | ((argv: string[]) => CommandResult)>;
  files?: Record<string, string>;
  dirs?: Record<string, string[]>;
  links?: Record<string, string>;
}

function fakeDiscovery(init: FakeDiscoveryInit): Discovery & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    platform: init.platform ?? "linux",
    async run(argv) {
      calls.push(argv);
      const c = init.commands?.[argv[0]!];
      return typeof c === "function" ? c(argv) : c;
    },
    readFile: (p) => init.files?.[p],
    readDir: (p) => init.dirs?.[p] ?? [],
    readLink: (p) => init.links?.[p],
  };
}

const PROC_FS: FakeDiscoveryInit = {
  files: { "/proc/net/tcp": PROC_TCP, "/proc/net/tcp6": PROC_TCP6, "/proc/700/comm": "python3\n", "/proc/701/comm": "node\n" },
  dirs: { "/proc": ["1", "700", "701", "self", "net"], "/proc/1/fd": ["0"], "/proc/700/fd": ["0", "1", "5"], "/proc/701/fd": ["3"] },
  links: {
    "/proc/1/fd/0": "/dev/null",
    "/proc/700/fd/0": "/dev/null",
    "/proc/700/fd/1": "pipe:[77]",
    "/proc/700/fd/5": "socket:[9001]",
    "/proc/701/fd/3": "socket:[9004]",
  },
};

// ------------------------------------------------------------------ parsers

describe("parsers", () => {
  test("lsof -FpFc: pid then command, per process", () => {
    expect(parseLsof(LSOF_OUT)).toEqual([
      { pid: 4242, command: "python3" },
      { pid: 4243, command: "bun" },
    ]);
    // A repeated pid (one per address family) is one listener; unknown fields are ignored.
    expect(parseLsof("p10\ncnode\nf3\np10\ncnode\np11\n")).toEqual([
      { pid: 10, command: "node" },
      { pid: 11, command: "?" },
    ]);
    expect(parseLsof("")).toEqual([]);
  });

  test("/proc/net/tcp: LISTEN rows on the port, by inode", () => {
    expect([...parseProcNetTcp(PROC_TCP, 18832)]).toEqual(["9001"]);
    expect([...parseProcNetTcp(PROC_TCP6, 18832)]).toEqual(["9004"]);
    expect([...parseProcNetTcp(PROC_TCP, 8080)]).toEqual(["9003"]);
    expect([...parseProcNetTcp(PROC_TCP, 1)]).toEqual([]);
  });

  test("netstat -ano: LISTENING rows ending in :<port>", () => {
    expect(parseNetstat(NETSTAT_OUT, 18832)).toEqual([5150]);
    expect(parseNetstat(NETSTAT_OUT.replaceAll("\n", "\r\n"), 135)).toEqual([1040]);
  });
});

// ------------------------------------------------------------------ discovery

describe("findListeners", () => {
  test("uses lsof when it is installed", async () => {
    const d = fakeDiscovery({ commands: { lsof: { exitCode: 0, stdout: LSOF_OUT, stderr: "" } } });
    const found = await findListeners(18832, d);
    expect(found.source).toBe("lsof");
    expect(found.listeners.map((l) => l.pid)).toEqual([4242, 4243]);
    expect(d.calls[0]).toEqual(["lsof", "-nP", "-iTCP:18832", "-sTCP:LISTEN", "-FpFc"]);
  });

  test("lsof exit 1 with no stderr means nothing listens", async () => {
    const d = fakeDiscovery({ ...PROC_FS, commands: { lsof: { exitCode: 1, stdout: "", stderr: "" } } });
    expect(await findListeners(18832, d)).toEqual({ listeners: [], source: "lsof", unattributed: 0 });
  });

  test("without lsof: /proc/net/tcp{,6} inodes mapped to pids through /proc/<pid>/fd", async () => {
    const found = await findListeners(18832, fakeDiscovery(PROC_FS));
    expect(found).toEqual({
      source: "proc",
      listeners: [
        { pid: 700, command: "python3" },
        { pid: 701, command: "node" },
      ],
      unattributed: 0,
    });
  });

  test("a failing lsof also falls back to /proc", async () => {
    const d = fakeDiscovery({ ...PROC_FS, commands: { lsof: { exitCode: 1, stdout: "", stderr: "lsof: WARNING: can't stat() ..." } } });
    expect((await findListeners(18832, d)).source).toBe("proc");
  });

  test("sockets whose owner is invisible are counted, not guessed", async () => {
    const found = await findListeners(18832, fakeDiscovery({ ...PROC_FS, dirs: { "/proc": ["1"] } }));
    expect(found.listeners).toEqual([]);
    expect(found.unattributed).toBe(2);
  });

  test("no lsof and no /proc: a clear error", async () => {
    const err = await findListeners(18832, fakeDiscovery({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForcePortError);
    expect((err as Error).message).toBe(
      "Could not free port 18832: cannot list listeners (lsof not found; /proc/net/tcp is not readable). " +
        "Run openclaw gateway status --deep to inspect the listener.",
    );
  });

  test("Windows: netstat -ano, names from tasklist", async () => {
    const d = fakeDiscovery({
      platform: "win32",
      commands: {
        netstat: { exitCode: 0, stdout: NETSTAT_OUT, stderr: "" },
        tasklist: (argv) => ({ exitCode: 0, stdout: `"node.exe","${argv[2]!.split(" ").at(-1)}","Console","1","40,000 K"\r\n`, stderr: "" }),
      },
    });
    expect((await findListeners(18832, d)).listeners).toEqual([{ pid: 5150, command: "node.exe" }]);
  });
});

// ------------------------------------------------------------------ escalation on a fake process table

/** Processes that die on the signals they honour; the port is free once all are dead. */
function fakeControl(procs: Record<number, { dieOn: "SIGTERM" | "SIGKILL" | "never"; eperm?: boolean }>) {
  const alive = new Set(Object.keys(procs).map(Number));
  const signals: string[] = [];
  const control: ProcessControl = {
    kill(pid, signal) {
      const p = procs[pid];
      if (!p || !alive.has(pid)) throw Object.assign(new Error("ESRCH"), { code: "ESRCH" });
      if (p.eperm) throw Object.assign(new Error("EPERM"), { code: "EPERM" });
      signals.push(`${signal} ${pid}`);
      if (p.dieOn === signal || (p.dieOn === "SIGTERM" && signal === "SIGKILL")) alive.delete(pid);
    },
    isAlive: (pid) => alive.has(pid),
    canBind: () => alive.size === 0,
  };
  return { control, signals, alive };
}

const lsofWith = (stdout: string) => fakeDiscovery({ commands: { lsof: { exitCode: stdout ? 0 : 1, stdout, stderr: "" } } });
const fast = { termGraceMs: 60, exitWaitMs: 150, bindWaitMs: 100, pollMs: 10 };

describe("forceFreePort (fake processes)", () => {
  test("SIGTERM is enough: logs each killed pid", async () => {
    const { control, signals } = fakeControl({ 4242: { dieOn: "SIGTERM" }, 4243: { dieOn: "SIGTERM" } });
    const lines: string[] = [];
    const res = await forceFreePort(18832, { discovery: lsofWith(LSOF_OUT), control, log: (l) => lines.push(l), ...fast });
    expect(signals).toEqual(["SIGTERM 4242", "SIGTERM 4243"]);
    expect(res.escalated).toEqual([]);
    expect(lines).toEqual(["force: killed pid 4242 (python3) on port 18832", "force: killed pid 4243 (bun) on port 18832"]);
  });

  test("a process that ignores SIGTERM gets SIGKILL after the grace period", async () => {
    const { control, signals } = fakeControl({ 4242: { dieOn: "SIGKILL" } });
    const lines: string[] = [];
    const t0 = performance.now();
    const res = await forceFreePort(18832, { discovery: lsofWith("p4242\ncpython3\n"), control, log: (l) => lines.push(l), ...fast });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    expect(signals).toEqual(["SIGTERM 4242", "SIGKILL 4242"]);
    expect(res.escalated).toEqual([4242]);
    expect(lines).toContain("force: escalated to SIGKILL while freeing port 18832 (pid 4242)");
    expect(lines).toContain("force: killed pid 4242 (python3) on port 18832");
  });

  test("never signals this process", async () => {
    const { control: base, signals, alive } = fakeControl({ 4242: { dieOn: "SIGTERM" }, 99: { dieOn: "SIGTERM" } });
    const control = { ...base, canBind: () => !alive.has(4242) };
    const res = await forceFreePort(18832, { discovery: lsofWith("p99\ncbun\np4242\ncpython3\n"), control, selfPid: 99, ...fast });
    expect(signals).toEqual(["SIGTERM 4242"]);
    expect(res.killed.map((l) => l.pid)).toEqual([4242]);
  });

  test("a free port: nothing to do", async () => {
    const { control, signals } = fakeControl({});
    expect(await forceFreePort(18832, { discovery: lsofWith(""), control, ...fast })).toEqual({ killed: [], escalated: [], waitedMs: 0 });
    expect(signals).toEqual([]);
  });

  test("failures: permission denied, unkillable, in use by nobody visible", async () => {
    const denied = fakeControl({ 4242: { dieOn: "SIGTERM", eperm: true } });
    await expect(forceFreePort(18832, { discovery: lsofWith("p4242\ncsshd\n"), control: denied.control, ...fast })).rejects.toThrow(
      "Could not free port 18832: permission denied signalling pid 4242 (sshd).",
    );
    const stuck = fakeControl({ 4242: { dieOn: "never" } });
    await expect(forceFreePort(18832, { discovery: lsofWith("p4242\ncD-state\n"), control: stuck.control, ...fast })).rejects.toThrow(
      "Could not free port 18832: pid 4242 (D-state) still running after SIGKILL.",
    );
    const busy: ProcessControl = { ...fakeControl({}).control, canBind: () => false };
    await expect(forceFreePort(18832, { discovery: lsofWith(""), control: busy, ...fast })).rejects.toThrow(
      "Could not free port 18832: it is in use but no listening process was found.",
    );
  });
});

// ------------------------------------------------------------------ the real thing

let listener: Bun.Subprocess | undefined;
afterEach(() => {
  listener?.kill("SIGKILL");
  listener = undefined;
});

/** A throwaway Bun process listening on 127.0.0.1:port; resolves once it answers. */
async function startThrowawayListener(port: number): Promise<Bun.Subprocess> {
  const proc = Bun.spawn(
    [process.execPath, "-e", `Bun.serve({hostname:"127.0.0.1",port:${port},fetch(){return new Response("x")}}); setInterval(()=>{},1000)`],
    { stdin: "ignore", stdout: "ignore", stderr: "inherit" },
  );
  try {
    await waitUntil(() => fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false), `a throwaway listener on ${port}`, { timeoutMs: 30_000, intervalMs: 25 });
  } catch (err) {
    proc.kill("SIGKILL");
    throw err;
  }
  return proc;
}

test.skipIf(process.platform === "win32")("frees a port held by a real process", async () => {
  const port = freePort();
  listener = await startThrowawayListener(port);
  expect(systemControl.canBind(port, "127.0.0.1")).toBe(false);
  if (process.platform === "linux") {
    // The /proc fallback finds it too, with lsof out of the picture.
    const noLsof = { ...systemDiscovery, run: async () => undefined };
    const found = await findListeners(port, noLsof);
    expect(found.source).toBe("proc");
    expect(found.listeners.map((l) => l.pid)).toEqual([listener.pid]);
  }
  const lines: string[] = [];
  const res = await forceFreePort(port, { host: "127.0.0.1", log: (l) => lines.push(l) });
  expect(res.killed.map((l) => l.pid)).toEqual([listener.pid]);
  // The command is bun's own name for itself (`bun`, or `bun.exe` where npm installed it).
  expect(lines[0]).toMatch(new RegExp(`^force: killed pid ${listener.pid} \\(bun[^)]*\\) on port ${port}$`));
  expect(await listener.exited).not.toBe(0);
  expect(listener.signalCode).toBe("SIGTERM");
  expect(systemControl.canBind(port, "127.0.0.1")).toBe(true);
}, 60_000); // a real process to start and kill
