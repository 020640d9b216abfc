/**
 * Thrown when something is set up in a way that cannot work: a message sent
 * with no connection, or module options that contradict each other. The
 * message says what to change.
 */
export class ImproperlyConfiguredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
