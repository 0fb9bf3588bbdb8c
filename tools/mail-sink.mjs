#!/usr/bin/env node
// A local SMTP server that keeps every e-mail it is handed as an .eml file, for the demo and local
// development (the campaign service's SMTP_URL defaults to smtp://127.0.0.1:2525). Not for production:
// point SMTP_URL at your mail provider there.
//
//   node tools/mail-sink.mjs [--port 2525] [--dir .cache/run/mail]
//
// Also answers GET http://127.0.0.1:<port+1>/messages with the list of kept messages (newest last).
import { mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { SMTPServer } from 'smtp-server';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const port = Number(arg('port', process.env.MAIL_SINK_PORT ?? 2525));
const dir = resolve(arg('dir', '.cache/run/mail'));
mkdirSync(dir, { recursive: true });

let seq = readdirSync(dir).length;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  size: 10 * 1024 * 1024,
  onData(stream, session, done) {
    const parts = [];
    stream.on('data', (d) => parts.push(d));
    stream.on('end', () => {
      const name = `${String(++seq).padStart(6, '0')}-${Date.now()}.eml`;
      const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
      writeFileSync(join(dir, name), Buffer.concat(parts));
      console.log(`mail-sink: ${name} to ${to}`);
      done();
    });
  },
});
smtp.on('error', (e) => console.error(`mail-sink: ${e.message}`));
smtp.listen(port, '127.0.0.1', () => console.log(`mail-sink: SMTP on 127.0.0.1:${port}, keeping mail in ${dir}`));

// A small read API so scripts (the demo) can show what arrived.
createServer((req, res) => {
  if (req.url !== '/messages') return res.writeHead(404).end();
  const messages = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => {
      const head = readFileSync(join(dir, f), 'utf8').split(/\r?\n\r?\n/)[0];
      const header = (h) => new RegExp(`^${h}: (.*)$`, 'im').exec(head)?.[1] ?? '';
      return { file: f, to: header('To'), subject: header('Subject'), messageId: header('Message-ID') };
    });
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(messages));
}).listen(port + 1, '127.0.0.1');

for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => smtp.close(() => process.exit(0)));
