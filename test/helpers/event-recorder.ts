/* Records a stream of events and lets a test wait for one: the apply's and the fleet's recorders. */

export interface EventRecorder<E> {
  readonly events: E[];
  listener(event: E): void;
  /** Resolves once an event matching `predicate` has been seen (at once if it already was). */
  when(predicate: (event: E) => boolean, timeoutMs?: number): Promise<E>;
}

/** `what` names the events in the timeout's message. */
export function eventRecorder<E>(what: string, defaultTimeoutMs: number): EventRecorder<E> {
  const events: E[] = [];
  const waiters: { predicate: (event: E) => boolean; resolve: (event: E) => void }[] = [];
  return {
    events,
    listener(event) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
    when(predicate, timeoutMs = defaultTimeoutMs) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
        waiters.push({
          predicate,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      });
    },
  };
}
