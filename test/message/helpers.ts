import { simpleParser, type ParsedMail } from 'mailparser';
import type { EmailMessage } from '../../lib/message/email-message.js';
import type { MessageSettings } from '../../lib/message/message-settings.js';
import type { MimeMessage } from '../../lib/message/mime-message.js';

/** One node of a MIME tree, parsed by hand so the nesting can be asserted. */
export interface MimeNode {
  /** Lower-case header name → unfolded values, in order. */
  headers: Array<[string, string]>;
  /** Content-Type without parameters, lower-cased. */
  type: string;
  /** Raw body (for leaves) as it appears on the wire. */
  body: string;
  children: MimeNode[];
}

/** Everything a test may want to look at for one rendering of a message. */
export interface Rendered {
  mime: MimeMessage;
  bytes: Buffer;
  raw: string;
  parsed: ParsedMail;
  tree: MimeNode;
}

/** Renders a message to bytes and parses it back. */
export async function render(
  msg: EmailMessage,
  settings: Partial<MessageSettings> = {},
): Promise<Rendered> {
  const mime = msg.message(settings);
  const bytes = await mime.asBytes();
  const raw = bytes.toString('latin1');
  return {
    mime,
    bytes,
    raw,
    parsed: await simpleParser(bytes),
    tree: parseTree(raw),
  };
}

/** Splits a header block and body at the first empty line; unfolds the headers. */
export function splitHeaders(raw: string): {
  headers: Array<[string, string]>;
  body: string;
} {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const block = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  const headers: Array<[string, string]> = [];
  for (const line of block.replace(/\n[ \t]/g, ' ').split('\n')) {
    if (!line) continue;
    const colon = line.indexOf(':');
    headers.push([
      line.slice(0, colon).toLowerCase(),
      line.slice(colon + 1).trim(),
    ]);
  }
  return { headers, body };
}

/** Raw (folded) top-level header lines, exactly as rendered. */
export function headerLines(raw: string): string[] {
  const text = raw.replace(/\r\n/g, '\n');
  return text.slice(0, text.indexOf('\n\n')).split('\n');
}

/** The value of the first header called `name` (case-insensitive). */
export function header(node: MimeNode, name: string): string | undefined {
  return node.headers.find(([n]) => n === name.toLowerCase())?.[1];
}

/** Parses a MIME entity into a tree of nodes. */
export function parseTree(raw: string): MimeNode {
  const { headers, body } = splitHeaders(raw);
  const contentType =
    headers.find(([n]) => n === 'content-type')?.[1] ?? 'text/plain';
  const type = contentType.split(';')[0].trim().toLowerCase();
  const node: MimeNode = { headers, type, body, children: [] };
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) throw new Error(`no boundary in ${contentType}`);
    const parts = body.split(`--${boundary}`);
    // parts[0] is the preamble, the last is "--" + epilogue.
    for (const part of parts.slice(1, -1)) {
      node.children.push(parseTree(part.replace(/^\n/, '')));
    }
  }
  return node;
}

/** The tree as nested type names, e.g. `['multipart/mixed', ['text/plain', 'image/png']]`. */
export function shape(node: MimeNode): unknown {
  return node.children.length
    ? [node.type, node.children.map(shape)]
    : node.type;
}

/** Every leaf of the tree, depth first. */
export function leaves(node: MimeNode): MimeNode[] {
  return node.children.length ? node.children.flatMap(leaves) : [node];
}

/** Decodes RFC 2047 encoded-words (UTF-8, B or Q), joining adjacent ones. */
export function decodeWords(value: string): string {
  const bytes: number[] = [];
  let out = '';
  const flush = () => {
    out += Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
  };
  const re = /=\?utf-8\?([bq])\?([^?]*)\?=(\s+(?==\?))?/giy;
  let i = 0;
  while (i < value.length) {
    re.lastIndex = i;
    const m = re.exec(value);
    if (m) {
      const data =
        m[1].toLowerCase() === 'b'
          ? Buffer.from(m[2], 'base64')
          : Buffer.from(
              m[2]
                .replace(/_/g, ' ')
                .replace(/=([0-9A-F]{2})/gi, (_s, h) =>
                  String.fromCharCode(parseInt(h, 16)),
                ),
              'latin1',
            );
      bytes.push(...data);
      i = re.lastIndex;
    } else {
      flush();
      out += value[i++];
    }
  }
  flush();
  return out;
}
