/**
 * The gateway's door to its channels. Channel code (manager, router, store, adapters) is imported
 * only when the config first names a channel, so a gateway without channels starts and idles
 * exactly as before.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import type { ChannelService, ChannelServiceDeps } from "./service.ts";

export function hasChannels(config: OpenClawConfig): boolean {
  const c = config.channels;
  return !!c && (c.telegram !== undefined || c.whatsapp !== undefined);
}

export class ChannelsHandle {
  private service?: ChannelService;
  private loading?: Promise<ChannelService>;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ChannelServiceDeps) {}

  /** The running service, if any channel was ever configured in this process. */
  get active(): ChannelService | undefined {
    return this.service;
  }

  private ensure(): Promise<ChannelService> {
    this.loading ??= import("./service.ts").then((m) => (this.service = new m.ChannelService(this.deps)));
    return this.loading;
  }

  /** Applies a config (start-up and every reload), one at a time and in order. */
  apply(config: OpenClawConfig): Promise<void> {
    const run = async () => {
      if (!this.service && !hasChannels(config)) return;
      await (await this.ensure()).apply(config);
    };
    this.queue = this.queue.then(run, run);
    return this.queue;
  }

  /** Channel delivery for hooks: channels as configured now; a failed send is an answer, not a throw. */
  delivery(): { channels(): string[]; accounts(channel: string): string[]; deliver(input: { channel: string; to: string; accountId?: string; text: string }): Promise<{ delivered: boolean; error?: string }> } {
    return {
      channels: () => this.service?.configuredChannels() ?? [],
      accounts: (channel) =>
        this.service?.manager.accounts(channel as never).filter((a) => a.enabled).map((a) => a.accountId) ?? [],
      deliver: async (input) => {
        if (!this.service) return { delivered: false, error: `unsupported channel: ${input.channel}` };
        try {
          await this.service.deliver(input);
          return { delivered: true };
        } catch (err) {
          return { delivered: false, error: err instanceof Error ? err.message : String(err) };
        }
      },
    };
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    await this.service?.close();
  }
}
