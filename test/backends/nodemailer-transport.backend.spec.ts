import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import type { Transport } from 'nodemailer';
import {
  BadHeaderError,
  EmailMessage,
  MailModule,
  MailService,
  NodemailerTransportBackend,
  SendError,
} from '../../lib/index.js';

const message = (to = ['to@example.com'], options = {}) =>
  new EmailMessage('Hello', 'Body text', 'from@example.com', to, options);

/** A custom nodemailer transport that answers with `answer` and records what it got. */
function recordingTransport(answer: (raw: Buffer) => object | Error) {
  const received: Array<{ envelope: unknown; raw: Buffer }> = [];
  const transport: Transport = {
    name: 'recording',
    version: '1',
    send(mail, done) {
      mail.message.build().then((raw: Buffer) => {
        received.push({ envelope: mail.data.envelope, raw });
        const result = answer(raw);
        if (result instanceof Error) done(result as never, undefined as never);
        else done(null, result as never);
      }, done as never);
    },
  };
  return { transport, received };
}

describe('NodemailerTransportBackend', () => {
  it('hands the stream transport our bytes and envelope (Bcc in the envelope only)', async () => {
    const backend = new NodemailerTransportBackend({
      transport: { streamTransport: true, buffer: true },
    });
    const msg = message(['to@example.com'], {
      bcc: ['hidden@example.com'],
      headers: { 'X-Tag': 'a' },
    });
    const { sent, outcomes } = await backend.sendMessagesDetailed([msg]);
    expect(sent).toBe(1);
    const [outcome] = outcomes;
    expect(outcome.status).toBe('sent');
    expect(outcome.envelope).toEqual({
      from: 'from@example.com',
      to: ['to@example.com', 'hidden@example.com'],
    });
    expect(outcome.accepted).toEqual(['to@example.com', 'hidden@example.com']);
    expect(outcome.messageId).toMatch(/^<.+@.+>$/);
    await backend.close();
  });

  it('delivers exactly what message() renders, through a custom transport', async () => {
    const { transport, received } = recordingTransport(() => ({
      messageId: '<provider-1@example.net>',
      accepted: ['to@example.com'],
      rejected: ['gone@example.com'],
      response: '250 queued as 1',
    }));
    const backend = new NodemailerTransportBackend({ transport });
    const msg = message(['to@example.com', 'gone@example.com']);
    const { outcomes } = await backend.sendMessagesDetailed([msg, message([])]);
    expect(received).toHaveLength(1);
    expect(received[0].envelope).toEqual({
      from: 'from@example.com',
      to: ['to@example.com', 'gone@example.com'],
    });
    const parsed = await simpleParser(received[0].raw);
    expect(parsed.subject).toBe('Hello');
    expect(parsed.text?.trim()).toBe('Body text');
    expect(received[0].raw.toString()).toContain('\r\nMIME-Version: 1.0\r\n');
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'skipped']);
    expect(outcomes[0]).toMatchObject({
      messageId: '<provider-1@example.net>',
      accepted: ['to@example.com'],
      rejected: [{ address: 'gone@example.com', responseCode: undefined }],
      response: '250 queued as 1',
    });
  });

  it('fails with SendError, classified by the reply code, unless failSilently', async () => {
    const refuse = () =>
      Object.assign(new Error('550 no such user'), {
        responseCode: 550,
        response: '550 no such user',
      });
    const loud = new NodemailerTransportBackend({
      transport: recordingTransport(refuse).transport,
    });
    const err = (await loud
      .sendMessages([message()])
      .catch((e: Error) => e)) as SendError;
    expect(err).toBeInstanceOf(SendError);
    expect(err.outcomes[0]).toMatchObject({
      status: 'failed',
      classification: 'permanent',
    });
    const quiet = new NodemailerTransportBackend({
      transport: recordingTransport(refuse).transport,
      failSilently: true,
    });
    const result = await quiet.sendMessagesDetailed([message(), message()]);
    expect(result.sent).toBe(0);
    expect(result.outcomes.map((o) => o.classification)).toEqual([
      'permanent',
      'permanent',
    ]);
    const down = new NodemailerTransportBackend({
      transport: recordingTransport(() => new Error('socket hang up'))
        .transport,
      failSilently: true,
    });
    expect(
      (await down.sendMessagesDetailed([message()])).outcomes[0].classification,
    ).toBe('transient');
  });

  it('sends nothing of a batch with a bad header', async () => {
    const { transport, received } = recordingTransport(() => ({
      messageId: '<x@y>',
    }));
    const backend = new NodemailerTransportBackend({ transport });
    const bad = message(['a@example.com'], { headers: { 'X-Bad': 'a\nb' } });
    await expect(backend.sendMessages([message(), bad])).rejects.toThrow(
      BadHeaderError,
    );
    expect(received).toHaveLength(0);
  });

  it("goes through nodemailer's SES transport to a fake SESv2 client", async () => {
    const commands: SendEmailCommand[] = [];
    const sesClient = {
      config: { region: async () => 'eu-west-1' },
      send: async (command: SendEmailCommand) => {
        commands.push(command);
        return { MessageId: '0100018f-abc' };
      },
    };
    const moduleRef = await Test.createTestingModule({
      imports: [
        MailModule.forRoot({
          backend: 'nodemailer',
          options: { transport: { SES: { sesClient, SendEmailCommand } } },
          defaultFromEmail: 'app@example.com',
        }),
      ],
    }).compile();
    await moduleRef.init();
    const mail = moduleRef.get(MailService);
    const msg = message(['to@example.com'], { bcc: ['audit@example.com'] });
    expect(await mail.send(msg)).toBe(1);
    await moduleRef.close();
    expect(commands).toHaveLength(1);
    const input = commands[0].input;
    const raw = Buffer.from(input.Content!.Raw!.Data!);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Hello');
    expect(raw.toString()).not.toContain('audit@example.com');
    expect(input.Destination?.ToAddresses).toEqual([
      'to@example.com',
      'audit@example.com',
    ]);
    expect(input.FromEmailAddress).toBe('from@example.com');
    const direct = new NodemailerTransportBackend({
      transport: { SES: { sesClient, SendEmailCommand } },
    });
    const { outcomes } = await direct.sendMessagesDetailed([message()]);
    expect(outcomes[0].messageId).toBe(
      '<0100018f-abc@eu-west-1.amazonses.com>',
    );
    expect(outcomes[0].response).toBe('0100018f-abc');
  });
});
