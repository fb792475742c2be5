import { describe, expect, test } from "bun:test";
import { configJsonSchema } from "../../src/config/schema.ts";
import { lookupSchemaPath, SchemaPathError } from "../../src/config/schema-lookup.ts";

const schema = configJsonSchema();

describe("lookupSchemaPath", () => {
  test("the root lists every top-level section", () => {
    const root = lookupSchemaPath(schema, "");
    expect(root.path).toBe("");
    expect(root.schema.type).toBe("object");
    expect(root.schema.additionalProperties).toBe(false);
    const keys = root.children.map((c) => c.key);
    expect(keys).toEqual(Object.keys(schema.properties as object));
    const gateway = root.children.find((c) => c.key === "gateway")!;
    expect(gateway).toMatchObject({ path: "gateway", type: "object", required: false, hasChildren: true });
  });

  test("a leaf: shallow node with type, enum and description, no children", () => {
    const bind = lookupSchemaPath(schema, "gateway.bind");
    expect(bind.path).toBe("gateway.bind");
    expect(bind.schema.type).toBe("string");
    expect(bind.schema.enum).toEqual(["auto", "lan", "loopback", "custom", "tailnet"]);
    expect(typeof bind.schema.description).toBe("string");
    expect(bind.children).toEqual([]);
    const port = lookupSchemaPath(schema, "gateway.port");
    expect(port.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 65535 });
  });

  test("a secret input is string-or-reference; maps and lists are walked through * / [i]", () => {
    expect(lookupSchemaPath(schema, "gateway.auth.token").schema.type).toEqual(["string", "object"]);
    const provider = lookupSchemaPath(schema, "models.providers.my-proxy");
    expect(provider.path).toBe("models.providers.my-proxy");
    expect(provider.children.map((c) => c.key)).toContain("baseUrl");
    const model = lookupSchemaPath(schema, "models.providers.x.models[0].id");
    expect(model.path).toBe("models.providers.x.models.*.id");
    expect(model.schema.type).toBe("string");
    expect(lookupSchemaPath(schema, "models.providers").children).toEqual([
      expect.objectContaining({ key: "*", path: "models.providers.*", hasChildren: true }),
    ]);
  });

  test("an unknown key or an empty segment is a clear error", () => {
    expect(() => lookupSchemaPath(schema, "gateway.nope")).toThrow(new SchemaPathError('config schema has no "nope" under gateway'));
    expect(() => lookupSchemaPath(schema, "bogus")).toThrow('config schema has no "bogus" under the config root');
    expect(() => lookupSchemaPath(schema, "gateway..port")).toThrow("empty segment");
  });
});
