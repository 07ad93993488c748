/**
 * Pause and resume of a running transfer: streams await `wait()` between chunks, so a paused transfer holds its
 * connection open and sends nothing until resumed. An abort signal ends the wait (the transfer then fails as
 * cancelled).
 */
export class PauseGate {
  private gate: { promise: Promise<void>; open: () => void } | null = null;
  private readonly listeners = new Set<(paused: boolean) => void>();

  get paused(): boolean {
    return this.gate !== null;
  }

  pause(): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
    this.notify(true);
  }

  resume(): void {
    const gate = this.gate;
    if (!gate) return;
    this.gate = null;
    gate.open();
    this.notify(false);
  }

  /** Undefined while running; while paused, a promise resolved on resume (or when `signal` aborts). */
  wait(signal?: AbortSignal): Promise<void> | undefined {
    const gate = this.gate;
    if (!gate) return undefined;
    if (!signal) return gate.promise;
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      void gate.promise.then(done);
    });
  }

  /** Called on every change (true: paused). Returns the unsubscribe function. */
  onChange(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(paused: boolean): void {
    for (const listener of this.listeners) listener(paused);
  }
}
