import type {
  DeliveryClassification,
  MessageOutcome,
} from '../../delivery/message-outcome.js';

const WHAT: Record<DeliveryClassification, string> = {
  transient: 'failed transiently',
  permanent: 'refused permanently (not tried elsewhere)',
  ambiguous: 'may have been delivered (ambiguous: not resent)',
};

/** Why messages failed: the distinct error messages, at most two. */
export function reasonOf(outcomes: MessageOutcome[]): string {
  const reasons = [
    ...new Set(outcomes.map((o) => o.error?.message ?? 'no reason given')),
  ];
  return reasons.slice(0, 2).join('; ') + (reasons.length > 2 ? '; ...' : '');
}

/**
 * One log line for one attempt on one mailer: how many of the messages went
 * out and, per classification, how many failed and why. Error messages, not
 * addresses: the line ends up in logs, Bcc recipients must not.
 * @internal
 */
export function describeAttempt(
  alias: string,
  outcomes: MessageOutcome[],
): string {
  const sent = outcomes.filter((o) => o.sent).length;
  const parts = [`mailer '${alias}' sent ${sent} of ${outcomes.length}`];
  for (const kind of Object.keys(WHAT) as DeliveryClassification[]) {
    const failed = outcomes.filter((o) => o.classification === kind);
    if (failed.length)
      parts.push(`${failed.length} ${WHAT[kind]}: ${reasonOf(failed)}`);
  }
  return parts.join('; ');
}
