/**
 * Thrown by an effect that cannot run before the war room exists: it waits
 * (until `until`, or a few seconds) without counting as a failure, and is
 * woken as soon as the room opens.
 */
export class WaitingForRoom extends Error {
  constructor(readonly until?: Date) {
    super('waiting for the war room');
  }
}
