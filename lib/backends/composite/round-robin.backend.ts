import {
  FailoverEmailBackend,
  type CompositeMailerConfig,
  type FailoverEmailBackendOptions,
} from './failover.backend.js';

/**
 * A mailer that spreads sends over `mailers`: each send (one
 * `sendMessages` call, e.g. one `sendMail` or one `sendMassMail`) starts at
 * the next mailer in turn, and otherwise fails over like
 * {@link FailoverEmailBackend}: transient failures move on to the next
 * mailer, permanent and ambiguous ones do not, and a mailer that failed is
 * skipped for `cooldown` ms.
 *
 * Create it with {@link roundRobin}.
 */
export class RoundRobinEmailBackend extends FailoverEmailBackend {
  protected override readonly kind: string = 'Round-robin';
  #turn = 0;

  /** The mailer to start at: the next one in turn. */
  protected override firstMailer(): number {
    const first = this.#turn % this.mailers.length;
    this.#turn = first + 1;
    return first;
  }
}

/**
 * A mailer that takes turns between `mailers`, failing over to the others on
 * transient failures (see {@link RoundRobinEmailBackend}).
 *
 * @example
 * MailModule.forRoot({
 *   ...roundRobin(['eu', 'us']), // the default mailer
 *   mailers: { eu: { options: { host: 'smtp.eu.example.com' } }, us: { options: { host: 'smtp.us.example.com' } } },
 * });
 */
export function roundRobin(
  mailers: string[],
  options: Omit<FailoverEmailBackendOptions, 'mailers'> = {},
): CompositeMailerConfig {
  return { backend: RoundRobinEmailBackend, options: { ...options, mailers } };
}
