import { Context, ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';

/**
 * A context manager without async propagation: `with()` makes a context active for the
 * synchronous run of its callback only. The gateway passes its request's span explicitly to
 * every call it makes (RequestHop), and a replica's transport hands each call's SERVER span to
 * the handler, which passes it to the store (LabTcpContext.getTraceParent()); a Redis command is
 * sent synchronously inside `with()`, so its span still finds its parent. Node's async-context
 * machinery (a hook on every promise) cost a replica more than its spans did. Every process but
 * the chat service uses this one.
 */
export class SyncContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.current;
    this.current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  bind<T>(_context: Context, target: T): T {
    return target;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}
