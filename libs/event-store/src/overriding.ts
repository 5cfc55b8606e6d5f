/**
 * `target` with some of its methods replaced: every other property read from it, its methods bound to it (an
 * event store, or its checkpoint log, wrapped where it is made: positions noted, appends told to another
 * thread or made by it). A Proxy rather than a class, so that methods an adapter adds (optional ones, getters
 * such as `checkpoints`) pass through without being listed.
 */
export function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      if (Object.prototype.hasOwnProperty.call(overrides, property)) return overrides[property as keyof T];
      const value = Reflect.get(object, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}
