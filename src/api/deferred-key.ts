import type { Caller } from '../api-keys/resolver.ts';
import type { Dependencies } from '../dependencies.ts';
import type { CheckpointPart, PendingKey } from '../platform/unit-of-work.ts';
import { beginIdempotent, firstCheckpointStatement, type BeginResult } from './idempotency.ts';
import type { IdempotentRequest } from './idempotency-repository.ts';

/**
 * Why a request that had not taken its key yet stops where it is: the key's own answer decides what happens next
 * (the stored response is replayed, or the request starts over holding the key, resuming `resumeResource` if an
 * earlier holder died after committing work on it).
 */
export class KeyDecided extends Error {
  constructor(readonly begun: BeginResult) {
    super('the request\'s idempotency key decides its answer');
  }
}

/** The first write carried the key's insert, and the key existed: nothing was written; the key decides. */
export class KeyExisted extends Error {
  constructor() {
    super('the idempotency key existed when the request\'s first write tried to take it');
  }
}

/**
 * A request's idempotency key taken by its first write (`PendingKey` in platform/unit-of-work.ts), for routes that
 * say so (`RouteDefinition.takesKeyWithFirstWrite`): PaymentIntent creation, whose first write is one statement. A
 * request that does not get to write takes the key when it fails (`decide`), so the answer is Stripe's: a replay is
 * answered with the stored response, a reused key with 400, a key in use with 409, and any other error is stored.
 */
export class DeferredKey implements PendingKey {
  state: PendingKey['state'] = 'pending';

  constructor(
    private readonly deps: Pick<Dependencies, 'commits' | 'secretBox'>,
    private readonly caller: Caller,
    private readonly key: string,
    private readonly request: IdempotentRequest,
    readonly token: string,
  ) {}

  /** Takes the key the usual way (beginIdempotent): resolves when the request now holds it with nothing to resume. */
  async take(): Promise<void> {
    const begun = await this.decide();
    if (begun.kind === 'proceed' && begun.resumeResource === null) return;
    throw new KeyDecided(begun);
  }

  /** The key's answer for this request (it holds the key after a `proceed`). */
  async decide(): Promise<BeginResult> {
    const { commits, secretBox } = this.deps;
    const begun = await beginIdempotent(commits.connection(`idempotency:${this.key}`), secretBox, this.caller, this.key, this.request.method, this.request.path, this.request.fingerprint, this.token);
    if (begun.kind === 'proceed') this.state = 'held';
    return begun;
  }

  firstCheckpointPart(resourceId: string): CheckpointPart {
    return {
      part: { name: 'key_checkpoint', statement: firstCheckpointStatement(this.caller, this.key, this.request, this.token, resourceId) },
      gate: { onlyIfRowsIn: 'key_checkpoint', gateKey: this.token },
      lost: () => new KeyExisted(),
    };
  }
}
