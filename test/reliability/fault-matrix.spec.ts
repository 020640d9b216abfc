import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  EmailMessage,
  MailModule,
  MailService,
  SendError,
  type DeliveryClassification,
  type MassMailItem,
  type MessageStatus,
  type SendResult,
  type SmtpEmailBackendOptions,
} from '../../lib/index.js';
import {
  startFaultSink,
  type FaultSink,
  type FaultSinkScript,
} from '../support/fault-sink.js';
import { assertEnvelopeInvariant } from './invariant.js';

/**
 * Every scenario of the reference's fault harness (§2.4) × {sendMail,
 * sendMassMail} × {failSilently on, off}, through MailService in a Nest app.
 * Each case asserts the count, the error, and what the sink stored.
 * failSilently on uses the `...Detailed` variants (the count is `sent`),
 * off uses the plain ones (count, or a SendError with the outcomes).
 */

const FROM = 'from@example.com';
const BIG_BODY = ('x'.repeat(70) + '\n').repeat(60_000); // ~4 MB: outlasts socket buffers

interface Scenario {
  name: string;
  script: FaultSinkScript;
  backend?: SmtpEmailBackendOptions;
  /** The message that meets the fault; its subject is unique. */
  faulty: { subject: string; body?: string; from?: string; to: string[] };
  /** The fault hits the connection, so every message of the batch. */
  connectionLevel?: boolean;
  status: MessageStatus;
  classification: DeliveryClassification | null;
  /** Did the server keep the faulty message? */
  stored: boolean;
  code?: string;
  responseCode?: number;
  refused?: Array<[address: string, code: number, DeliveryClassification]>;
}

const reply = (address: string) =>
  address.startsWith('reject550')
    ? '550 5.1.1 No such user'
    : address.startsWith('defer450')
      ? '450 4.2.1 Mailbox busy, try later'
      : undefined;
const bySubject = (marker: string, action: string) => (tx: { data: Buffer }) =>
  (tx.data.toString().includes(`Subject: ${marker}`) ? action : 'accept') as
    'accept' | 'drop';

const SCENARIOS: Scenario[] = [
  {
    name: 'one RCPT refused 550 among several',
    script: { onRcptTo: reply },
    faulty: {
      subject: 'rcpt550',
      to: ['a@example.com', 'reject550@example.com', 'b@example.com'],
    },
    status: 'sent',
    classification: null,
    stored: true,
    refused: [['reject550@example.com', 550, 'permanent']],
  },
  {
    name: 'one RCPT deferred 450',
    script: { onRcptTo: reply },
    faulty: {
      subject: 'rcpt450',
      to: ['a@example.com', 'defer450@example.com'],
    },
    status: 'sent',
    classification: null,
    stored: true,
    refused: [['defer450@example.com', 450, 'transient']],
  },
  {
    name: 'all RCPT refused',
    script: { onRcptTo: reply },
    faulty: {
      subject: 'allrefused',
      to: ['reject550@example.com', 'defer450@example.com'],
    },
    status: 'failed',
    classification: 'transient', // a deferral among the refusals wins
    stored: false,
    code: 'EENVELOPE',
    responseCode: 450,
    refused: [
      ['reject550@example.com', 550, 'permanent'],
      ['defer450@example.com', 450, 'transient'],
    ],
  },
  {
    name: 'DATA answered 451',
    script: { afterData: bySubject('data451', '451 4.3.0 Try again later') },
    faulty: { subject: 'data451', to: ['a@example.com'] },
    status: 'failed',
    classification: 'transient',
    stored: false,
    code: 'EMESSAGE',
    responseCode: 451,
  },
  {
    name: 'DATA answered 554',
    script: { afterData: bySubject('data554', '554 5.7.1 Rejected as spam') },
    faulty: { subject: 'data554', to: ['a@example.com'] },
    status: 'failed',
    classification: 'permanent',
    stored: false,
    code: 'EMESSAGE',
    responseCode: 554,
  },
  {
    name: '421 at greeting',
    script: { greeting: '421 4.3.2 Too busy, try later' },
    faulty: { subject: 'greeting421', to: ['a@example.com'] },
    connectionLevel: true,
    status: 'not-attempted',
    classification: 'transient',
    stored: false,
    responseCode: 421,
  },
  {
    name: '421 at MAIL FROM',
    script: {
      onMailFrom: (from) =>
        from.startsWith('busy421') ? '421 4.3.2 Shutting down' : undefined,
    },
    faulty: {
      subject: 'mail421',
      from: 'busy421@example.com',
      to: ['a@example.com'],
    },
    status: 'failed',
    classification: 'transient',
    stored: false,
    code: 'EENVELOPE',
    responseCode: 421,
  },
  {
    name: 'connection dropped before the final "."',
    script: {
      onData: ({ rcptTo }) =>
        rcptTo.includes('dropdata@example.com') ? 'drop-before-dot' : undefined,
    },
    faulty: {
      subject: 'dropdata',
      body: BIG_BODY,
      to: ['dropdata@example.com'],
    },
    status: 'failed',
    classification: 'transient',
    stored: false,
  },
  {
    name: 'connection dropped after the final "."',
    script: { afterData: bySubject('dropped', 'drop') },
    faulty: { subject: 'dropped', to: ['a@example.com'] },
    status: 'unknown',
    classification: 'ambiguous',
    stored: true,
    code: 'ECONNECTION',
  },
  {
    name: 'stall after the final "."',
    script: { afterData: bySubject('stalled', 'stall') },
    backend: { timeout: 0.5 },
    faulty: { subject: 'stalled', to: ['a@example.com'] },
    status: 'unknown',
    classification: 'ambiguous',
    stored: true,
    code: 'ETIMEDOUT',
  },
  {
    name: 'STARTTLS missing with useTls',
    script: {},
    backend: { useTls: true },
    faulty: { subject: 'nostarttls', to: ['a@example.com'] },
    connectionLevel: true,
    status: 'not-attempted',
    classification: 'transient',
    stored: false,
    code: 'ETLS',
  },
  {
    name: 'STARTTLS handshake failing',
    script: {
      extensions: ['STARTTLS', 'PIPELINING', '8BITMIME'],
      starttls: 'garbage',
    },
    backend: { useTls: true },
    faulty: { subject: 'badtls', to: ['a@example.com'] },
    connectionLevel: true,
    status: 'not-attempted',
    classification: 'transient',
    stored: false,
    code: 'ESOCKET', // the TLS handshake fails on the socket
  },
  {
    name: 'AUTH answered 535',
    script: { auth: '535 5.7.8 Authentication credentials invalid' },
    backend: { username: 'user', password: 'wrong' },
    faulty: { subject: 'auth535', to: ['a@example.com'] },
    connectionLevel: true,
    status: 'not-attempted',
    classification: 'transient',
    stored: false,
    code: 'EAUTH',
    responseCode: 535,
  },
];

let app: TestingModule | undefined;
let sink: FaultSink | undefined;
afterEach(async () => {
  await app?.close();
  await sink?.close();
  app = sink = undefined;
});

async function boot(scenario: Scenario): Promise<MailService> {
  sink = await startFaultSink(scenario.script);
  app = await Test.createTestingModule({
    imports: [
      MailModule.forRoot({
        backend: 'smtp',
        options: {
          host: sink.host,
          port: sink.port,
          timeout: 5,
          ...scenario.backend,
        },
        defaultFromEmail: FROM,
      }),
    ],
  }).compile();
  await app.init();
  return app.get(MailService);
}

const ok = (n: number): MassMailItem => [
  `ok${n}`,
  `Body ${n}`,
  FROM,
  [`ok${n}@example.com`],
];

describe.each(SCENARIOS)('fault: $name', (scenario) => {
  const { faulty } = scenario;
  const faultyItem: MassMailItem = [
    faulty.subject,
    faulty.body ?? 'Body',
    faulty.from ?? FROM,
    faulty.to,
  ];
  const sentOk = scenario.status === 'sent';

  describe.each([
    {
      fn: 'sendMail',
      items: [faultyItem],
      statuses: [scenario.status],
      run: (mail: MailService, failSilently: boolean) =>
        failSilently
          ? mail.sendMailDetailed(
              faultyItem[0],
              faultyItem[1],
              faultyItem[2],
              faultyItem[3],
              {
                failSilently,
              },
            )
          : mail.sendMail(
              faultyItem[0],
              faultyItem[1],
              faultyItem[2],
              faultyItem[3],
            ),
    },
    {
      fn: 'sendMassMail',
      items: [ok(1), faultyItem, ok(3)],
      statuses: scenario.connectionLevel
        ? Array<MessageStatus>(3).fill(scenario.status)
        : (['sent', scenario.status, 'sent'] as MessageStatus[]),
      run: (mail: MailService, failSilently: boolean) =>
        failSilently
          ? mail.sendMassMailDetailed([ok(1), faultyItem, ok(3)], {
              failSilently,
            })
          : mail.sendMassMail([ok(1), faultyItem, ok(3)]),
    },
  ])('$fn', ({ items, statuses, run }) => {
    const count = statuses.filter((s) => s === 'sent').length;
    const storedSubjects = items
      .map(([subject]) => subject)
      .filter((subject, i) =>
        subject === faulty.subject ? scenario.stored : statuses[i] === 'sent',
      );

    it.each([true, false])('failSilently %s', async (failSilently) => {
      const mail = await boot(scenario);
      let result: SendResult | number | undefined;
      let error: unknown;
      try {
        result = await run(mail, failSilently);
      } catch (err) {
        error = err;
      }

      let outcomes;
      if (failSilently || count === items.length) {
        expect(error).toBeUndefined();
        const sent = typeof result === 'number' ? result : result!.sent;
        expect(sent).toBe(count);
        outcomes = typeof result === 'number' ? undefined : result!.outcomes;
      } else {
        expect(result).toBeUndefined();
        expect(error).toBeInstanceOf(SendError);
        const err = error as SendError;
        expect(err.sent).toBe(count);
        if (scenario.code) expect(err.code).toBe(scenario.code);
        if (scenario.responseCode)
          expect(err.responseCode).toBe(scenario.responseCode);
        if (scenario.classification === 'ambiguous') {
          expect(err.message).toMatch(/may have been delivered \(ambiguous/);
        }
        outcomes = err.outcomes;
      }

      if (outcomes) {
        expect(outcomes.map((o) => o.status)).toEqual(statuses);
        const target = outcomes[items.indexOf(faultyItem)];
        expect(target.classification).toBe(scenario.classification);
        expect(target.sent).toBe(sentOk);
        if (scenario.refused) {
          expect(
            target.rejected
              .filter((r) => scenario.refused!.some(([a]) => a === r.address))
              .map((r) => [r.address, r.responseCode, r.classification]),
          ).toEqual(scenario.refused);
        }
        if (sentOk) {
          const refused = (scenario.refused ?? []).map(([a]) => a);
          expect(target.accepted).toEqual(
            faulty.to.filter((a) => !refused.includes(a)),
          );
        }
      }

      // What the sink kept: exactly the messages reported sent, plus the
      // ambiguous one when the server stored it before the connection broke.
      const stored = sink!.stored;
      // (Sorted: the messages of a batch spread over several connections.)
      expect(
        stored
          .map((tx) => /Subject: (\S+)/.exec(tx.data.toString())![1])
          .sort(),
      ).toEqual([...storedSubjects].sort());
      for (const tx of stored) {
        const subject = /Subject: (\S+)/.exec(tx.data.toString())![1];
        const [s, b, f, to] = items.find(([sub]) => sub === subject)!;
        await assertEnvelopeInvariant(tx, new EmailMessage(s, b, f, to), {
          refused: (scenario.refused ?? []).map(([a]) => a),
        });
      }
      if (scenario.connectionLevel) {
        expect(sink!.mailFromCount).toBe(0);
        if (scenario.backend?.useTls) {
          expect(
            sink!.commands.filter((c) => !/^(EHLO|STARTTLS)\b/.test(c)),
          ).toEqual([]);
        }
      }
    });
  });
});
