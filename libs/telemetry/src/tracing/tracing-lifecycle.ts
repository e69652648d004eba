import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { shutdownTracing } from './tracing-runtime';

/** Flushes buffered spans when the Nest app shuts down (a no-op when tracing is off). */
@Injectable()
export class TracingLifecycle implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return shutdownTracing();
  }
}
