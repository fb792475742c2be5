// `bun run gen`: writes schema/ from the code. `--check` exits 1 when a committed file differs.
import { generatedSchemas } from "./generated.ts";

const check = Bun.argv.includes("--check");
let stale = 0;
for (const [path, content] of Object.entries(generatedSchemas())) {
  const file = Bun.file(path);
  const current = (await file.exists()) ? await file.text() : null;
  if (current === content) continue;
  if (check) {
    console.error(`${path} is stale: run \`bun run gen\``);
    stale++;
  } else {
    await Bun.write(path, content);
    console.log(`wrote ${path}`);
  }
}
process.exit(stale ? 1 : 0);
