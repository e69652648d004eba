import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { ReplicaTelemetry } from '@app/telemetry';

/** Times every message handler into `lab_rpc_server_duration_seconds`. */
@Injectable()
export class RpcMetricsInterceptor implements NestInterceptor {
  constructor(private readonly telemetry: ReplicaTelemetry) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const pattern = String(context.switchToRpc().getContext().getPattern());
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    return next.handle().pipe(
      tap({
        complete: () => this.telemetry.recordRpcServer(pattern, 'ok', seconds()),
        error: () => this.telemetry.recordRpcServer(pattern, 'error', seconds()),
      }),
    );
  }
}
