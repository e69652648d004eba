import { bootstrapReplica, exitOnBootFailure } from '@app/replica';
import { ProductModule } from './product.module';

bootstrapReplica('product', () => ProductModule.register()).catch(exitOnBootFailure);
