import { Inject, Injectable } from '@nestjs/common';
import { SessionUser } from '@app/contracts';
import { SESSION_STORE, SessionStore, TraceParent } from '@app/state';

/** Sessions, wherever STATE_MODE put them; this class never asks which (StateModule counts them). */
@Injectable()
export class SessionsService {
  constructor(@Inject(SESSION_STORE) private readonly store: SessionStore) {}

  create(sid: string, user: SessionUser, parent?: TraceParent): Promise<void> {
    return this.store.create(sid, user, parent);
  }

  find(sid: string, parent?: TraceParent): Promise<SessionUser | null> {
    return this.store.get(sid, parent);
  }

  destroy(sid: string, parent?: TraceParent): Promise<boolean> {
    return this.store.destroy(sid, parent);
  }
}
