/**
 * Linking WhatsApp as a device from the page: web.login.start gives a QR (a data:image/png URL,
 * which the CSP's img-src data: allows), then web.login.wait holds until it is scanned, handing back
 * a new QR when WhatsApp rotates it. The outcome (linked, or why not) stays on screen.
 */
import { fill, h } from "../dom.ts";
import { errorText } from "./parts.ts";
import type { ViewContext } from "./types.ts";

interface LoginAnswer { message: string; qrDataUrl?: string; connected?: boolean }

/** How long one web.login.wait may hold; the loop asks again while the QR is on screen. */
const WAIT_MS = 60_000;
const QR_PREFIX = "data:image/png;base64,";
const STILL_WAITING = /^still waiting/i;

export class WhatsAppLink {
  readonly el: HTMLElement;
  private readonly message = h("p", { id: "wa-message", role: "status", "aria-live": "polite" });
  private readonly qr = h("img", { id: "wa-qr", class: "qr", alt: "QR code to scan in WhatsApp → Linked Devices", width: "264", height: "264", hidden: true });
  private readonly cancel = h("button", { type: "button", class: "small", id: "wa-cancel" }, "Cancel");
  private session = 0;

  constructor(private readonly ctx: ViewContext, private readonly onLinked: () => void) {
    this.cancel.addEventListener("click", () => this.stop("Linking cancelled."));
    this.el = h("div", { class: "wa-link", id: "wa-link", hidden: true },
      h("div", { class: "stack" },
        h("h3", null, "Link WhatsApp"),
        this.message,
        h("p", { class: "muted small" }, "On the phone: WhatsApp → Settings → Linked Devices → Link a device, then scan."),
        h("div", { class: "row" }, this.cancel),
      ),
      this.qr,
    );
  }

  /** Starts linking `accountId`; `force` asks for a new link even when one exists. */
  async start(accountId: string, force = false): Promise<void> {
    const session = ++this.session;
    this.el.hidden = false;
    this.el.dataset.state = "starting";
    this.qr.hidden = true;
    this.cancel.hidden = false;
    this.message.textContent = "Asking WhatsApp for a QR code…";
    this.el.scrollIntoView({ block: "nearest" });
    let answer: LoginAnswer;
    try {
      answer = await this.ctx.request<LoginAnswer>("web.login.start", { accountId, ...(force ? { force: true } : {}) }, 60_000);
    } catch (err) {
      if (session === this.session) this.finish("error", `Could not start linking: ${errorText(err)}`);
      return;
    }
    if (session !== this.session) return;
    if (answer.connected || !answer.qrDataUrl) {
      this.finish(answer.connected ? "linked" : "error", answer.message);
      if (answer.connected) this.onLinked();
      return;
    }
    this.showQr(answer.qrDataUrl, answer.message);
    await this.waitForScan(session, accountId, answer.qrDataUrl);
  }

  private async waitForScan(session: number, accountId: string, qr: string): Promise<void> {
    let current = qr;
    while (session === this.session && !this.ctx.signal.aborted) {
      let answer: LoginAnswer;
      try {
        answer = await this.ctx.request<LoginAnswer>("web.login.wait", {
          accountId, timeoutMs: WAIT_MS, ...(current.startsWith(QR_PREFIX) ? { currentQrDataUrl: current } : {}),
        }, WAIT_MS + 10_000);
      } catch (err) {
        if (session === this.session) this.finish("error", `Linking stopped: ${errorText(err)}`);
        return;
      }
      if (session !== this.session) return;
      if (answer.connected) {
        this.finish("linked", answer.message);
        this.onLinked();
        return;
      }
      // The wait ran out with the code still unscanned (the published wording): wait again.
      if (!answer.qrDataUrl && STILL_WAITING.test(answer.message)) continue;
      if (answer.qrDataUrl) {
        // WhatsApp rotated the code: the new one replaces the old, and the wait goes on.
        current = answer.qrDataUrl;
        this.showQr(current, answer.message);
        continue;
      }
      this.finish("error", answer.message);
      return;
    }
  }

  private showQr(url: string, message: string): void {
    this.el.dataset.state = "qr";
    // Only a data: image is shown: nothing the gateway says can make the page load another host.
    if (url.startsWith("data:image/")) {
      this.qr.src = url;
      this.qr.hidden = false;
    }
    this.message.textContent = message;
  }

  private finish(state: "linked" | "error" | "cancelled", message: string): void {
    this.el.dataset.state = state;
    this.qr.hidden = true;
    this.qr.removeAttribute("src");
    this.cancel.hidden = true;
    fill(this.message, h("span", { class: state === "linked" ? "ok-text" : state === "error" ? "error" : "muted" }, message));
  }

  /** Stops showing and waiting (the gateway's login gives up on its own timeout). */
  stop(message: string): void {
    this.session++;
    this.finish("cancelled", message);
  }
}
