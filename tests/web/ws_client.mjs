#!/usr/bin/env node
// A scriptable WebSocket client for the C++ integration tests.
//
//   node tests/web/ws_client.mjs --url ws://127.0.0.1:P/ws [--origin URL]
//
// Commands on stdin, one a line (those read before the connection opens wait for it):
//   send <text>            one text message
//   fragments <a>|<b>|<c>  one text message in several frames (all but the last with FIN clear)
//   ping <payload>         a ping frame
//   close <code> <reason>  start the closing handshake (no code: a close frame without one)
//   binary <text>          one binary message
// Events on stdout, one a line, each flushed as it happens:
//   open                   connected (the upgrade was accepted)
//   text <message>         a text message received (CR and LF in it written as \r and \n)
//   binary <message>       a binary message received, as UTF-8
//   ping <payload>         a ping received (ws answers it with a pong by itself)
//   pong <payload>         a pong received
//   close <code> <reason>  closed: the code the server sent (1005: none; 1006: no close frame);
//                          "close <code>" alone when the reason is empty (likewise "pong", "text")
//   error <message>        e.g. "error Unexpected server response: 403" when the upgrade is refused
// Exits 0 after the close. When stdin ends: sends close 1000 if still open, and exits within 5 s
// whatever the server does.
import readline from 'node:readline';
import WebSocket from 'ws';

const GIVE_UP_MS = 4500;  // After stdin ends.

function usage(why) {
  process.stderr.write(`ws_client.mjs: ${why}\nusage: node ws_client.mjs --url ws://HOST:PORT/PATH [--origin URL]\n`);
  process.exit(2);
}

const opts = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const flag = argv[i];
  if (flag !== '--url' && flag !== '--origin') usage(`unknown argument ${flag}`);
  if (i + 1 >= argv.length) usage(`${flag} needs a value`);
  opts[flag.slice(2)] = argv[i + 1];
}
if (!opts.url) usage('--url is missing');

// stdout is a pipe or a file: synchronous writes on Linux, so each line is out when written.
// An event with an empty payload is the bare word ("close 1000", "pong"), no trailing space.
function emit(line, payload) {
  process.stdout.write(payload === undefined || payload === '' ? `${line}\n` : `${line} ${payload}\n`);
}

const escape = (text) => String(text).replace(/\r/g, '\\r').replace(/\n/g, '\\n');

let ws;
try {
  ws = new WebSocket(opts.url, {
    origin: opts.origin,
    perMessageDeflate: false,  // Plain frames: what the test sends is what goes on the wire.
    handshakeTimeout: 5000,
  });
} catch (error) {
  emit('error', escape(error.message));
  emit('close 1006');
  process.exit(0);
}

let closed = false;
const queue = [];      // Commands read before the connection opened.
let inputEnded = false;

function finish() {
  if (closed) return;
  closed = true;
  process.exit(0);
}

ws.on('open', () => {
  emit('open');
  while (queue.length > 0 && ws.readyState === WebSocket.OPEN) run(queue.shift());
  if (inputEnded) endOfInput();
});
ws.on('message', (data, isBinary) => {
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat([].concat(data)).toString('utf8');
  emit(isBinary ? 'binary' : 'text', escape(text));
});
ws.on('ping', (payload) => emit('ping', escape(payload.toString('utf8'))));
ws.on('pong', (payload) => emit('pong', escape(payload.toString('utf8'))));
ws.on('error', (error) => emit('error', escape(error.message)));
ws.on('close', (code, reason) => {
  emit(`close ${code}`, escape(reason.toString('utf8')));
  finish();
});

function run(line) {
  const space = line.indexOf(' ');
  const verb = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? '' : line.slice(space + 1);
  try {
    switch (verb) {
      case 'send':
        ws.send(rest, { binary: false });
        break;
      case 'fragments': {
        const parts = rest.split('|');
        parts.forEach((part, i) => ws.send(part, { binary: false, fin: i === parts.length - 1 }));
        break;
      }
      case 'ping':
        ws.ping(rest);
        break;
      case 'binary':
        ws.send(Buffer.from(rest, 'utf8'), { binary: true });
        break;
      case 'close': {
        if (rest.trim() === '') {
          ws.close();
          break;
        }
        const cut = rest.indexOf(' ');
        const code = Number(cut < 0 ? rest : rest.slice(0, cut));
        const reason = cut < 0 ? '' : rest.slice(cut + 1);
        ws.close(code, reason);
        break;
      }
      case '':
        break;
      default:
        emit('error', `unknown command: ${escape(verb)}`);
    }
  } catch (error) {
    emit('error', escape(error.message));
  }
}

function endOfInput() {
  if (ws.readyState === WebSocket.OPEN) {
    try { ws.close(1000); } catch { /* closing already */ }
  }
}

readline.createInterface({ input: process.stdin, terminal: false })
  .on('line', (line) => {
    if (ws.readyState === WebSocket.CONNECTING) queue.push(line);
    else if (ws.readyState === WebSocket.OPEN) run(line);
    // Closing or closed: nothing more can be sent.
  })
  .on('close', () => {
    inputEnded = true;
    if (ws.readyState !== WebSocket.CONNECTING) endOfInput();
    setTimeout(() => {
      if (closed) return;
      if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
      // terminate() reports the close (1006) on the next tick; exit in any case.
      setTimeout(finish, 200).unref();
    }, GIVE_UP_MS).unref();
  });
