/**
 * Thrown when a message's text cannot be encoded as asked: an unsupported
 * `encoding`/`defaultCharset`, or text the chosen charset cannot represent
 * (for example `ü` with `us-ascii`).
 */
export class MessageEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
