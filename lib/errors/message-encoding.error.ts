/**
 * Thrown when a message's text cannot be encoded as asked: an unsupported
 * `encoding`/`defaultCharset`, or text the chosen charset cannot represent
 * (for example `ü` with `us-ascii`), or a raw `message/*` attachment with a
 * line over 998 octets (such parts may not be base64 or quoted-printable).
 */
export class MessageEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
