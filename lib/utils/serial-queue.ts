/**
 * Runs async tasks one at a time, in the order they were given; a task that
 * fails does not stop the ones queued behind it. Backends use it so that
 * concurrent calls never interleave on one connection or stream.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` once every earlier task has settled; resolves or rejects as it does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
