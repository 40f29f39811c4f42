// A FIFO lock over PGlite's one backend session: PGlite has a single session, so
// an in-process query, a whole transaction, or a socket client's message group
// (and its open transaction) must each have it alone, never interleaved.
export class SessionLock {
  #held = false;
  #waiters: (() => void)[] = [];

  /** Resolves with a release function once the session is ours; release is idempotent. */
  async acquire(): Promise<() => void> {
    if (this.#held) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    else this.#held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the session straight to the next waiter so nobody can slip in between.
      const next = this.#waiters.shift();
      if (next) next();
      else this.#held = false;
    };
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  get held(): boolean {
    return this.#held;
  }
}
