/**
 * Gathers single requests made at about the same time into one call with all of them, so that many concurrent
 * callers cost one database round trip instead of one each (a DataLoader-style micro-batch).
 *
 * A batch is sent when it holds `sizeMax` items, or `delayMs` after its first item arrived (0: at the end of the
 * current turn of the event loop, after every caller already running has added its item). At most `inFlightMax`
 * batches run at once; items arriving meanwhile wait and go together in the next one, which is what makes batches
 * grow under load without any delay being added when idle.
 */
export class Batcher<Item, Result> {
  private waiting: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly idle = new Set<() => void>();

  /**
   * @param run called with a batch's items; returns one result per item, in the same order. When it throws, every
   *   caller of that batch gets the error.
   */
  constructor(
    private readonly run: (items: Item[]) => Promise<Result[]>,
    private readonly options: { sizeMax: number; delayMs: number; inFlightMax: number },
  ) {}

  /** Adds one item to the next batch; resolves with its result once that batch has run. */
  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.options.sizeMax) this.flush();
      else this.schedule();
    });
  }

  /** Resolves once no batch is waiting or running. */
  async drained(): Promise<void> {
    while (this.waiting.length > 0 || this.inFlight > 0) {
      this.flush();
      await new Promise<void>((resolve) => this.idle.add(resolve));
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const fire = () => {
      this.scheduled = false;
      this.flush();
    };
    if (this.options.delayMs > 0) setTimeout(fire, this.options.delayMs);
    else setImmediate(fire);
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.inFlight < this.options.inFlightMax) {
      const batch = this.waiting.splice(0, this.options.sizeMax);
      this.inFlight += 1;
      void this.send(batch);
    }
  }

  private async send(batch: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[]): Promise<void> {
    try {
      const results = await this.run(batch.map((entry) => entry.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} returned ${results.length} results`);
      batch.forEach((entry, index) => entry.resolve(results[index]));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.inFlight -= 1;
      // Items that arrived while every slot was busy go now, together.
      if (this.waiting.length > 0) this.flush();
      if (this.waiting.length === 0 && this.inFlight === 0) {
        for (const resolve of this.idle) resolve();
        this.idle.clear();
      }
    }
  }
}
