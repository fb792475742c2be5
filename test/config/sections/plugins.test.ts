// The plugins config section: the canvas host's keys, and what a published-gateway config may carry.
import { expect, test } from "bun:test";
import { ConfigError, validateConfig } from "../../../src/config/load.ts";

function issues(config: unknown): string[] {
  try {
    validateConfig(config, "openclaw.json");
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

test("the canvas host keys are accepted, with the published plugin keys around them", () => {
  expect(
    issues({
      plugins: {
        enabled: true,
        allow: ["canvas"],
        installs: { x: { source: "npm" } },
        entries: {
          canvas: { enabled: true, config: { host: { enabled: false, root: "~/canvas", liveReload: false }, other: 1 } },
          "admin-http-rpc": { enabled: false },
          bonjour: { enabled: true, config: { anything: [1, 2] } },
        },
      },
    }),
  ).toEqual([]);
});

test("wrong types and unknown host keys are refused with their path", () => {
  expect(issues({ plugins: { entries: { canvas: { config: { host: { enabled: "yes" } } } } } })).toEqual([
    "plugins.entries.canvas.config.host.enabled: Invalid input: expected boolean, received string",
  ]);
  expect(issues({ plugins: { entries: { canvas: { config: { host: { port: 18793 } } } } } })).toEqual([
    'plugins.entries.canvas.config.host: Unrecognized key: "port"',
  ]);
  expect(issues({ plugins: { entries: { canvas: { config: { host: { root: "" } } } } } })).toHaveLength(1);
  expect(issues({ plugins: { entries: { other: { enabled: "no" } } } })).toEqual(["plugins.entries.other.enabled: Invalid input: expected boolean, received string"]);
});

test("the retired canvasHost section fails validation, as on the published gateway", () => {
  expect(issues({ canvasHost: { enabled: false } })).toEqual(['<root>: Unrecognized key: "canvasHost"']);
});
