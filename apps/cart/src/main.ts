import { bootstrapReplica, exitOnBootFailure } from '@app/replica';
import { CartModule } from './cart.module';

bootstrapReplica('cart', (context) => CartModule.register(context)).catch(exitOnBootFailure);
