import { bootstrapReplica, exitOnBootFailure } from '@app/replica';
import { UserModule } from './user.module';

bootstrapReplica('user', (context) => UserModule.register(context)).catch(exitOnBootFailure);
