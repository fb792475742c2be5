/**
 * Builds the Control UI from src/ui with Bun's bundler into memory: hashed JS/CSS (code reached
 * only through import() in chunks of its own), the index.html template and the unversioned
 * files, each precompressed with brotli and gzip once here so serving never compresses. The
 * gateway runs this on the first UI request when it runs from source; build.ts runs it before
 * compiling and embeds the result (embedded.ts).
 */
import { constants, brotliCompressSync } from "node:zlib";
import { join } from "node:path";

/** src/ui, resolved from this file (the build never runs inside a compiled binary). */
export const UI_SOURCE_DIR = join(import.meta.dir, "../../ui");

export interface UiFile {
  /** Path under the UI's base path, without a leading slash: "index.html", "assets/main-1a2b.js". */
  path: string;
  contentType: string;
  /** A content-hashed name: cached for a year. Everything else is revalidated (no-cache). */
  immutable: boolean;
  body: Uint8Array;
  br?: Uint8Array;
  gzip?: Uint8Array;
}

export interface UiBundle {
  /** Short digest of every file: changes whenever any asset does. */
  buildId: string;
  /** The JS entry and stylesheet under assets/, which index.html names. */
  entry: string;
  styles: string[];
  /** The favicon under assets/. */
  icon: string;
  files: UiFile[];
}

export const INDEX_TEMPLATE = "index.html";

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml",
  json: "application/json; charset=utf-8",
  webmanifest: "application/manifest+json",
};

export function contentTypeOf(path: string): string {
  return TYPES[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";
}

const COMPRESSIBLE = /\.(js|css|html|svg|json|webmanifest)$/;

/** Brotli at its best quality and gzip -9, each kept only when smaller than the file itself. */
export function precompress(file: Omit<UiFile, "br" | "gzip">): UiFile {
  if (!COMPRESSIBLE.test(file.path) || file.body.length < 256) return file;
  const br = new Uint8Array(
    brotliCompressSync(file.body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: file.body.length },
    }),
  );
  const gzip = Bun.gzipSync(file.body as Uint8Array<ArrayBuffer>, { level: 9 });
  return { ...file, ...(br.length < file.body.length ? { br } : {}), ...(gzip.length < file.body.length ? { gzip } : {}) };
}

/** The icon, served from assets/ under a content-hashed name like the bundle's outputs. */
const ICON = "favicon.svg";

export async function buildControlUi(sourceDir = UI_SOURCE_DIR): Promise<UiBundle> {
  const result = await Bun.build({
    entrypoints: [join(sourceDir, "app/main.ts")],
    target: "browser",
    format: "esm",
    splitting: true,
    minify: true,
    naming: { entry: "[name]-[hash].[ext]", chunk: "[name]-[hash].[ext]", asset: "[name]-[hash].[ext]" },
    throw: false,
  });
  if (!result.success) {
    throw new Error(`control UI build failed:\n${result.logs.map((l) => `  ${l.message ?? String(l)}`).join("\n")}`);
  }
  const files: UiFile[] = [];
  let entry = "";
  const styles: string[] = [];
  for (const out of result.outputs) {
    if (out.kind === "sourcemap") continue;
    const name = out.path.replace(/^\.\//, "");
    const path = `assets/${name}`;
    if (out.kind === "entry-point") entry = path;
    if (name.endsWith(".css")) styles.push(path);
    files.push(precompress({ path, contentType: contentTypeOf(name), immutable: true, body: new Uint8Array(await out.arrayBuffer()) }));
  }
  if (!entry) throw new Error("control UI build produced no entry point");
  const iconBody = await Bun.file(join(sourceDir, ICON)).bytes();
  const icon = `assets/favicon-${new Bun.CryptoHasher("sha256").update(iconBody).digest("hex").slice(0, 8)}.svg`;
  files.push(precompress({ path: icon, contentType: contentTypeOf(ICON), immutable: true, body: iconBody }));
  // The template is filled per base path when served; stored uncompressed.
  files.push({ path: INDEX_TEMPLATE, contentType: contentTypeOf(INDEX_TEMPLATE), immutable: false, body: await Bun.file(join(sourceDir, INDEX_TEMPLATE)).bytes() });
  const hasher = new Bun.CryptoHasher("sha256");
  for (const f of files) hasher.update(f.path).update(f.body);
  return { buildId: hasher.digest("hex").slice(0, 12), entry, styles, icon, files };
}
