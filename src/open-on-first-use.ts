/**
 * A store opened the first time something needs it: a gateway that never pairs a device or never
 * runs a channel never creates (or pays for) that database.
 */
export class OpenOnFirstUse<T extends { close(): void }> {
  private store?: T;
  constructor(
    readonly path: string,
    private readonly open: (path: string) => T,
  ) {}

  get(): T {
    return (this.store ??= this.open(this.path));
  }

  close(): void {
    this.store?.close();
    this.store = undefined;
  }
}
