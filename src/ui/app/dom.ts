/**
 * The whole rendering layer: `h()` builds real DOM nodes, views keep references to the nodes they
 * change and replace children when data changes. No virtual DOM, no templates parsed as HTML, so
 * text from the gateway can never become markup.
 */
export type Child = Node | string | number | false | null | undefined | Child[];
type Handler = (ev: never) => void;
export type Props = Record<string, string | number | boolean | null | undefined | Handler>;

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) for (const c of child) append(parent, c);
  else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

/**
 * `h("button", { class: "primary", onclick: send, disabled: busy }, "Send")`. `on*` functions
 * become listeners; `value`/`checked` are set as properties; `true` is an empty attribute and
 * `false`/null/undefined leave the attribute out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
    else if (key === "value" || key === "checked") (el as unknown as Record<string, unknown>)[key] = value;
    else el.setAttribute(key === "className" ? "class" : key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** Replaces every child of `el`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/**
 * "12:04" today, else "3 Dec 12:04" (24-hour, English like the rest of the page). Built by hand, not
 * with toLocale*: the first Intl use starts ICU (30-150 ms in a fresh browser process), and the chat
 * view shows these times before it is usable.
 */
export function shortTime(ms: number): string {
  const d = new Date(ms);
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return d.toDateString() === new Date().toDateString() ? time : `${d.getDate()} ${MONTHS[d.getMonth()]} ${time}`;
}

/** A random UUID v4 (crypto.randomUUID exists only in secure contexts; getRandomValues everywhere). */
export function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
