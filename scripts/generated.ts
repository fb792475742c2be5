import { join } from "node:path";
import { configJsonSchema } from "../src/config/schema.ts";
import { GATEWAY_METHODS } from "../src/gateway/methods/index.ts";
import { standaloneOpenApiDocument } from "../src/http/app.ts";
import { protocolJsonSchema } from "../src/protocol/json-schema.ts";
import { readFileSync } from "node:fs";
import { renderReadme } from "./readme.ts";

const root = join(import.meta.dir, "..");
const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";

/** Every generated file (schema/ and the README's generated tables), keyed by absolute path. */
export function generatedSchemas(): Record<string, string> {
  return {
    [join(root, "schema/protocol.schema.json")]: json(protocolJsonSchema(GATEWAY_METHODS.map((m) => m.spec))),
    [join(root, "schema/config.schema.json")]: json(configJsonSchema()),
    [join(root, "schema/openapi.json")]: json(standaloneOpenApiDocument()),
    [join(root, "README.md")]: renderReadme(readFileSync(join(root, "README.md"), "utf8")),
  };
}
