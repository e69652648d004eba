import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ReplicaContext, STORE_PROBE, StoreProbe } from '@app/replica';
import { ReplicaTelemetry } from '@app/telemetry';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ChatTelemetry } from './chat-telemetry';
import { CHAT_HOP_SECRET } from './chat.tokens';
import { ChatSocketServer } from './connections/chat-socket.server';
import { LocalConnections } from './connections/local-connections';
import { ChatDelivery } from './fanout/chat-delivery';
import { CHAT_FANOUT, ChatFanout } from './fanout/chat-fanout';
import { PeerFanout } from './fanout/peer-fanout';
import { RedisFanout } from './fanout/redis-fanout';

/** Starts the fan-out before the first connection and stops it last. */
class FanoutLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(CHAT_FANOUT) private readonly fanout: ChatFanout) {}
  onApplicationBootstrap(): Promise<void> {
    return this.fanout.start();
  }
  onApplicationShutdown(): Promise<void> {
    return this.fanout.stop();
  }
}

/**
 * The real-time service: WebSocket connections of logged-in users (ChatSocketServer), their
 * presence here (LocalConnections), and the fan-out the state mode picks once at boot:
 * peers told directly in stateful mode, Redis pub/sub otherwise. Health reports the connections
 * held (and, in redis mode, whether Redis answers).
 */
@Module({})
export class ChatModule {
  static register({ config, address, hopSecret }: ReplicaContext): DynamicModule {
    const local = new LocalConnections();
    return {
      module: ChatModule,
      controllers: [ChatController],
      providers: [
        { provide: CHAT_HOP_SECRET, useValue: hopSecret },
        { provide: LocalConnections, useValue: local },
        {
          provide: ChatTelemetry,
          useFactory: (telemetry: ReplicaTelemetry) => new ChatTelemetry(telemetry, address.id, () => local.connections),
          inject: [ReplicaTelemetry],
        },
        { provide: ChatDelivery, useFactory: (telemetry: ChatTelemetry) => new ChatDelivery(local, telemetry), inject: [ChatTelemetry] },
        {
          provide: CHAT_FANOUT,
          useFactory: (delivery: ChatDelivery): ChatFanout =>
            config.stateMode === 'stateful' ? new PeerFanout(config, address, hopSecret, delivery) : new RedisFanout(config.redis.topology, address, delivery, config.chatDelivery === 'at-least-once'),
          inject: [ChatDelivery],
        },
        {
          provide: STORE_PROBE,
          useFactory: (fanout: ChatFanout): StoreProbe => ({
            ping: () => fanout.ping(),
            count: () => Promise.resolve(local.connections),
            backend: 'memory',
          }),
          inject: [CHAT_FANOUT],
        },
        FanoutLifecycle,
        ChatService,
        ChatSocketServer,
      ],
    };
  }
}
