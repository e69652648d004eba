import { bootstrapReplica, exitOnBootFailure } from '@app/replica';
import { ChatModule } from './chat.module';

bootstrapReplica('chat', (context) => ChatModule.register(context)).catch(exitOnBootFailure);
