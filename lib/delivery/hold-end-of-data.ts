import { Readable } from 'node:stream';

/**
 * The message stream with its end held back until `beforeEnd()` resolves:
 * bytes are passed on as the reader asks for them, and once the reader
 * asks for more after the last one, `beforeEnd()` runs; only when it
 * resolves does the stream end (and so the SMTP client writes the final
 * `.`). Nothing is read from `source` before the reader starts (nodemailer
 * starts after DATA's 354). When `beforeEnd()` rejects, the stream errors
 * instead of ending: the final `.` is never written.
 * @internal Used by the SMTP backend for `DetailedSendOptions.beforeDataEnd`.
 */
export function holdEndOfData(
  source: Readable,
  beforeEnd: (() => Promise<void> | void) | undefined,
): Readable {
  if (!beforeEnd) return source;
  let wanted = false;
  let sourceEnded = false;
  let ending = false;
  const held = new Readable({
    read() {
      wanted = true;
      pull();
    },
    destroy(err, done) {
      source.destroy();
      done(err);
    },
  });
  const pull = () => {
    while (wanted && !ending) {
      const chunk: unknown = source.read();
      if (chunk === null) {
        if (sourceEnded) end();
        return;
      }
      wanted = held.push(chunk);
    }
  };
  const end = () => {
    ending = true;
    Promise.resolve()
      .then(beforeEnd)
      .then(
        () => held.push(null),
        (err: Error) => held.destroy(err),
      );
  };
  source.on('readable', pull);
  source.on('end', () => {
    sourceEnded = true;
    pull();
  });
  source.on('error', (err) => held.destroy(err));
  return held;
}
