import { BadHeaderError } from './bad-header.error.js';

/**
 * Thrown when an email address cannot be sent safely: it does not parse as
 * exactly one mailbox (`a@b, c@d` in one list item, a group, a comment, a
 * stray `@`), its domain is not a valid (internationalised) domain name, or
 * its local part is not ASCII.
 *
 * A subclass of {@link BadHeaderError}, so one `catch` covers every kind of
 * unsafe header input.
 */
export class InvalidAddressError extends BadHeaderError {
  constructor(
    /** The address as it was given. */
    readonly address: string,
    /** Why it was refused. */
    readonly reason: string,
  ) {
    super(`Invalid address ${JSON.stringify(address)}: ${reason}`);
  }
}
