import { DynamicModule, Module } from '@nestjs/common';
import { ReplicaContext, STORE_PROBE } from '@app/replica';
import { SESSION_STORE, StateModule } from '@app/state';
import { SessionsController } from './sessions/sessions.controller';
import { SessionsService } from './sessions/sessions.service';
import { CredentialsService } from './users/credentials.service';

/** Logins and sessions. Where a session lives is StateModule's choice, made once at boot. */
@Module({})
export class UserModule {
  static register({ config, address }: ReplicaContext): DynamicModule {
    return {
      module: UserModule,
      imports: [
        StateModule.register({
          mode: config.stateMode,
          redisUrl: config.redisUrl,
          redis: config.redis,
          ttlSeconds: config.sessionTtlSeconds,
          kinds: ['sessions'],
          replicaId: address.id,
        }),
      ],
      controllers: [SessionsController],
      providers: [CredentialsService, SessionsService, { provide: STORE_PROBE, useExisting: SESSION_STORE }],
    };
  }
}
