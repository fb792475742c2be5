/**
 * The Control UI's files in memory, whichever way they were made: embedded in the compiled binary
 * by build.ts, or built from src/ui on first use when the gateway runs from source. index.html is
 * filled in per base path (asset URLs are absolute, so deep client routes load them) and cached.
 */
import { VERSION } from "../../version.ts";
import { buildControlUi, INDEX_TEMPLATE, precompress, type UiBundle, type UiFile } from "./bundle.ts";

// Set to true by build.ts (`define`) when it compiles a binary with the UI embedded.
declare const OPENCLAW_EMBEDDED_UI: boolean | undefined;

/** What build.ts generates: the bundle with each file's bytes as an embedded file's path. */
export interface EmbeddedManifest {
  buildId: string;
  entry: string;
  styles: string[];
  icon: string;
  files: Array<{ path: string; contentType: string; immutable: boolean; body: string; br?: string; gzip?: string }>;
}

export interface UiAssets {
  readonly buildId: string;
  /** A file by its path under the base path ("assets/main-1a2b.js"); never the index template. */
  file(path: string): UiFile | undefined;
  /** index.html for this base path ("" or "/openclaw"). */
  index(basePath: string): UiFile;
  /** When the files were made: the Last-Modified of every response. */
  readonly lastModified: string;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function uiAssets(bundle: UiBundle, madeAt = new Date()): UiAssets {
  const byPath = new Map(bundle.files.filter((f) => f.path !== INDEX_TEMPLATE).map((f) => [f.path, f]));
  const template = bundle.files.find((f) => f.path === INDEX_TEMPLATE);
  if (!template) throw new Error("control UI bundle has no index.html");
  const templateText = new TextDecoder().decode(template.body);
  const indexes = new Map<string, UiFile>();
  return {
    buildId: bundle.buildId,
    lastModified: madeAt.toUTCString(),
    file: (path) => byPath.get(path),
    index(basePath) {
      let file = indexes.get(basePath);
      if (!file) {
        const base = escapeAttr(basePath);
        const styles = bundle.styles.map((s) => `<link rel="stylesheet" href="${base}/${escapeAttr(s)}">`).join("\n");
        const html = templateText
          .replaceAll("{{base}}", base)
          .replaceAll("{{buildId}}", escapeAttr(bundle.buildId))
          .replaceAll("{{version}}", escapeAttr(VERSION))
          .replaceAll("{{styles}}", styles)
          .replaceAll("{{entry}}", `${base}/${escapeAttr(bundle.entry)}`)
          .replaceAll("{{icon}}", `${base}/${escapeAttr(bundle.icon)}`);
        file = precompress({ path: "index.html", contentType: template.contentType, immutable: false, body: new TextEncoder().encode(html) });
        indexes.set(basePath, file);
      }
      return file;
    },
  };
}

async function fromManifest(m: EmbeddedManifest): Promise<UiBundle> {
  const read = (path: string | undefined) => (path === undefined ? undefined : Bun.file(path).bytes());
  const files = await Promise.all(
    m.files.map(async (f): Promise<UiFile> => {
      const [body, br, gzip] = await Promise.all([read(f.body), read(f.br), read(f.gzip)]);
      return { path: f.path, contentType: f.contentType, immutable: f.immutable, body: body!, ...(br ? { br } : {}), ...(gzip ? { gzip } : {}) };
    }),
  );
  return { buildId: m.buildId, entry: m.entry, styles: m.styles, icon: m.icon, files };
}

/** The embedded files in a compiled binary, else a fresh build of src/ui (a few hundred ms, once). */
export async function loadUiBundle(): Promise<UiBundle> {
  if (typeof OPENCLAW_EMBEDDED_UI !== "undefined" && OPENCLAW_EMBEDDED_UI) {
    const m = await import("openclaw-embedded-control-ui");
    return fromManifest(m.default);
  }
  return buildControlUi();
}
