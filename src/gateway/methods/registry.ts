import type { z } from "zod";
import type { MethodSpec } from "../../protocol/index.ts";
import type { GatewayRuntime } from "../runtime.ts";
import type { ConnState, RawJson } from "../ws/conn.ts";

export interface MethodContext {
  gw: GatewayRuntime;
  conn: ConnState;
  /** Two-stage methods: sends the first, {status:"accepted"} response now; the return value is the second. */
  accept(payload: unknown): void;
}

export type Handler<S extends MethodSpec> = (
  params: z.output<S["params"]>,
  ctx: MethodContext,
) => z.input<S["result"]> | RawJson | Promise<z.input<S["result"]> | RawJson>;

export interface RegisteredMethod<S extends MethodSpec = MethodSpec> {
  spec: S;
  handler: Handler<S>;
}

/** Pairs a protocol declaration with its handler; the only way a method enters the registry. */
export function implement<S extends MethodSpec>(spec: S, handler: Handler<S>): RegisteredMethod {
  return { spec, handler } as unknown as RegisteredMethod;
}

export class MethodRegistry {
  private byName = new Map<string, RegisteredMethod>();

  constructor(methods: readonly RegisteredMethod[]) {
    for (const m of methods) {
      if (this.byName.has(m.spec.name)) throw new Error(`method registered twice: ${m.spec.name}`);
      this.byName.set(m.spec.name, m);
    }
  }

  get(name: string): RegisteredMethod | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
