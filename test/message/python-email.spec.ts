import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { EmailMessage } from '../../lib/message/email-message.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';

/** Parses a message with Python's `email` package (modern policy) and describes it as JSON. */
const PARSER = `
import email, json, sys
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
parts = []
for part in msg.walk():
    entry = {
        'type': part.get_content_type(),
        'params': {k: v for k, v in part['content-type'].params.items()} if part['content-type'] else {},
        'filename': part.get_filename(),
        'disposition': part.get_content_disposition(),
        'cid': part['content-id'],
        'defects': [type(d).__name__ for d in part.defects],
    }
    if part.get_content_maintype() == 'text':
        entry['text'] = part.get_content().replace(chr(13) + chr(10), chr(10))
    elif not part.is_multipart() and part.get_content_maintype() != 'message':
        entry['size'] = len(part.get_content())
    parts.append(entry)
print(json.dumps({
    'subject': msg['subject'],
    'to': str(msg['to']),
    'cc': [str(a) for a in msg['cc'].addresses] if msg['cc'] else [],
    'defects': [type(d).__name__ for d in msg.defects],
    'parts': parts,
}))
`;

interface PyPart {
  type: string;
  params: Record<string, string>;
  filename: string | null;
  disposition: string | null;
  cid: string | null;
  defects: string[];
  text?: string;
  size?: number;
}
interface PyMessage {
  subject: string;
  to: string;
  cc: string[];
  defects: string[];
  parts: PyPart[];
}

const python = spawnSync('python3', ['-c', 'import email.policy'], {
  encoding: 'utf8',
});
const hasPython = python.status === 0;

async function parseWithPython(msg: EmailMessage): Promise<PyMessage> {
  const bytes = await msg.message().asBytes({ linesep: '\r\n' });
  const result = spawnSync('python3', ['-c', PARSER], { input: bytes });
  if (result.status !== 0) throw new Error(result.stderr.toString());
  return JSON.parse(result.stdout.toString()) as PyMessage;
}

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:42@example.com',
  'DTSTART:20261201T090000Z',
  'SUMMARY:Réunion',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\n');

// Python is a bonus check on top of mailparser; without python3 these are skipped.
(hasPython ? describe : describe.skip)(
  "parsed by Python's email package",
  () => {
    it('reads a calendar invite with an inline image and a non-ASCII filename, without defects', async () => {
      const msg = new EmailMultiAlternatives(
        'Einladung: Réunion',
        'You are invited.',
        'Organizer <org@example.com>',
        [],
        {
          bcc: ['guest@example.com'],
          headers: { To: 'undisclosed-recipients:;' },
        },
      );
      const logo = msg.attachInline('logo.png', Buffer.from('89504e47', 'hex'));
      msg.attachAlternative(`<p><img src="${logo}"> Réunion</p>`, 'text/html');
      msg.attachAlternative(ICS, 'text/calendar; method=REQUEST');
      msg.attach('Einladung März.ics', ICS, 'text/calendar; method=REQUEST');
      const parsed = await parseWithPython(msg);
      expect(parsed.defects).toEqual([]);
      expect(parsed.parts.flatMap((p) => p.defects)).toEqual([]);
      expect(parsed.subject).toBe('Einladung: Réunion');
      expect(parsed.to).toBe('undisclosed-recipients:;');
      expect(parsed.parts.map((p) => p.type)).toEqual([
        'multipart/mixed',
        'multipart/alternative',
        'text/plain',
        'multipart/related',
        'text/html',
        'image/png',
        'text/calendar',
        'text/calendar',
      ]);
      const [alternative, attached] = parsed.parts.filter(
        (p) => p.type === 'text/calendar',
      );
      expect(alternative.params).toEqual({
        charset: 'utf-8',
        method: 'REQUEST',
      });
      expect(alternative.text).toBe(ICS);
      expect(attached.filename).toBe('Einladung März.ics');
      expect(attached.disposition).toBe('attachment');
      const image = parsed.parts.find((p) => p.type === 'image/png')!;
      expect(image.cid).toBe(`<${logo.slice(4)}>`);
      expect(image.disposition).toBe('inline');
    });

    it('decodes koi8-r and windows-1252 bodies and a group next to mailboxes', async () => {
      for (const [charset, text] of [
        ['koi8-r', 'Съешь же ещё этих мягких французских булок'],
        ['windows-1252', 'Café “quoted” – 5 €'],
      ]) {
        const msg = new EmailMessage('s', text, 'from@example.com', [
          'to@example.com',
        ]);
        msg.encoding = charset;
        msg.extraHeaders = {
          Cc: 'Team: a@example.com, b@example.com;, c@example.com',
        };
        const parsed = await parseWithPython(msg);
        expect(parsed.parts[0].params).toEqual({ charset });
        expect(parsed.parts[0].text).toBe(`${text}\n`);
        expect(parsed.cc).toEqual([
          'a@example.com',
          'b@example.com',
          'c@example.com',
        ]);
      }
    });
  },
);
