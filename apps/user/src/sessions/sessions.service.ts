import { Inject, Injectable } from '@nestjs/common';
import { SessionUser } from '@app/contracts';
import { SESSION_STORE, SessionStore } from '@app/state';

/** Sessions, wherever STATE_MODE put them; this class never asks which (StateModule counts them). */
@Injectable()
export class SessionsService {
  constructor(@Inject(SESSION_STORE) private readonly store: SessionStore) {}

  create(sid: string, user: SessionUser): Promise<void> {
    return this.store.create(sid, user);
  }

  find(sid: string): Promise<SessionUser | null> {
    return this.store.get(sid);
  }

  destroy(sid: string): Promise<boolean> {
    return this.store.destroy(sid);
  }
}
