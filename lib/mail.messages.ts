/** User-facing error texts that more than one file raises. */

/** Django's wording for a line break in a header (`ValueError` since Django 6.0). */
export const NEWLINE_IN_HEADER =
  'Header values may not contain linefeed or carriage return characters';

/** Django 6.1's wording for a `Bcc` key in `headers`. */
export const BCC_HEADER =
  'Bcc is not a valid email header. Use the "bcc" argument to specify blind carbon copy recipients.';

/** `to`, `cc`, `bcc` or `replyTo` given as something other than an array. */
export const mustBeArray = (field: string) =>
  `"${field}" argument must be an array of address strings`;
