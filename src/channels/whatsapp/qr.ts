/**
 * QR codes for linking: a PNG data URL (what web.login.start/wait return to the Control UI and the
 * CLI) and a terminal rendering (what `openclaw channels login --channel whatsapp` prints).
 * `qrcode`/`pngjs` are imported only when a QR is drawn.
 *
 * The terminal form takes either the raw QR text (a login in the CLI's own process) or the data
 * URL a gateway answered with: that PNG is read back into its module grid, so the CLI does not
 * need anything from the gateway beyond the published result shape.
 */

/** Half-block characters with explicit black-on-white colours: scanners need dark modules on a light field, whatever the terminal's theme. */
const WHITE_BG_BLACK_FG = "\x1b[47m\x1b[30m";
const RESET = "\x1b[0m";
const QUIET_ZONE = 2;

export async function qrToDataUrl(text: string): Promise<string> {
  const QRCode = await import("qrcode");
  return await QRCode.toDataURL(text, { errorCorrectionLevel: "M", margin: 4, scale: 6 });
}

/** The module grid of QR text (true = dark). */
async function gridFromText(text: string): Promise<boolean[][]> {
  const QRCode = await import("qrcode");
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = modules.size;
  return Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => !!modules.get(y, x)));
}

/**
 * The module grid of a QR PNG: the first dark pixel is the top-left corner of the top-left finder
 * pattern, which is 7 modules wide; that gives the module size and the margin, and each module is
 * read at its centre.
 */
export async function gridFromPngDataUrl(dataUrl: string): Promise<boolean[][]> {
  const prefix = "data:image/png;base64,";
  if (!dataUrl.startsWith(prefix)) throw new Error("not a PNG data URL");
  const { PNG } = await import("pngjs");
  const png = PNG.sync.read(Buffer.from(dataUrl.slice(prefix.length), "base64"));
  const dark = (x: number, y: number) => {
    const i = (y * png.width + x) * 4;
    const lum = (png.data[i]! + png.data[i + 1]! + png.data[i + 2]!) / 3;
    return png.data[i + 3]! > 127 && lum < 128;
  };
  let x0 = -1;
  let y0 = -1;
  outer: for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      if (dark(x, y)) {
        x0 = x;
        y0 = y;
        break outer;
      }
    }
  }
  if (x0 < 0) throw new Error("no QR code in the image");
  let run = 0;
  while (x0 + run < png.width && dark(x0 + run, y0)) run++;
  const scale = run / 7;
  const size = Math.round((png.width - 2 * x0) / scale);
  if (!Number.isFinite(scale) || scale < 1 || size < 21 || (size - 17) % 4 !== 0) throw new Error("the image is not a QR code this renderer understands");
  return Array.from({ length: size }, (_, my) =>
    Array.from({ length: size }, (_, mx) => dark(Math.floor(x0 + (mx + 0.5) * scale), Math.floor(y0 + (my + 0.5) * scale))),
  );
}

/** Two module rows per text line (▀ ▄ █), inside a light quiet zone. */
export function gridToTerminal(grid: boolean[][]): string {
  const size = grid.length;
  const at = (x: number, y: number) => x >= 0 && y >= 0 && x < size && y < size && grid[y]![x]!;
  const lines: string[] = [];
  for (let y = -QUIET_ZONE; y < size + QUIET_ZONE; y += 2) {
    let line = "";
    for (let x = -QUIET_ZONE; x < size + QUIET_ZONE; x++) {
      const top = at(x, y);
      const bottom = at(x, y + 1);
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    lines.push(`${WHITE_BG_BLACK_FG}${line}${RESET}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A QR (raw text, or a PNG data URL from web.login.start/wait) drawn for a terminal. */
export async function renderQrForTerminal(qrOrDataUrl: string): Promise<string> {
  const grid = qrOrDataUrl.startsWith("data:image/") ? await gridFromPngDataUrl(qrOrDataUrl) : await gridFromText(qrOrDataUrl);
  return gridToTerminal(grid);
}
