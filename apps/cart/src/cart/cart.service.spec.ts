import { RpcException } from '@nestjs/microservices';
import { MemoryCartStore } from '@app/state';
import { ReplicaTelemetry } from '@app/telemetry';
import { CartService } from './cart.service';

describe('CartService', () => {
  let store: MemoryCartStore;
  let carts: CartService;

  beforeEach(() => {
    store = new MemoryCartStore(60);
    carts = new CartService(store, new ReplicaTelemetry({ service: 'cart', replica: 'cart-1', mode: 'stateful', routing: 'sticky-ring' }, false));
  });

  afterEach(() => store.close());

  /** The `{status, code}` a call rejected with over the hop. */
  async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string }> {
    const error = await call.then(
      () => undefined,
      (rejected: unknown) => rejected,
    );
    if (!(error instanceof RpcException)) throw new Error(`expected an RpcException, got ${String(error)}`);
    const { status, code } = error.getError() as { status: number; code: string };
    return { status, code };
  }

  describe('after discard()', () => {
    it.each([
      ['addItem()', (service: CartService) => service.addItem('sid-1', 'p-1', 1)],
      ['removeItem()', (service: CartService) => service.removeItem('sid-1', 'p-1')],
      ['checkout()', (service: CartService) => service.checkout('sid-1', 'u-1')],
    ])('answers %s with 401 session_ended', async (_name, write) => {
      await carts.addItem('sid-1', 'p-1', 1);
      await carts.discard('sid-1');
      expect(await refusal(write(carts))).toEqual({ status: 401, code: 'session_ended' });
      expect(await carts.view('sid-1')).toEqual({ items: [], totalCents: 0 });
    });
  });
});
