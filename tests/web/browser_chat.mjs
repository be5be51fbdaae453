#!/usr/bin/env node
// Browser test of the chat page: two Chromium pages and two `soket chat client` members (TCP
// and UDP) in one room served by a chat server already running on 127.0.0.1:PORT.
//
//   node tests/web/browser_chat.mjs --port P --soket /path/to/soket --password PW \
//        --artifacts DIR --locale en-US|id-ID --server-pid PID --password-file FILE \
//        --backend auto|epoll|io_uring
//
// The last check restarts the server: it stops the one the caller started (SIGTERM to
// --server-pid) and starts its own on the same port with --password-file and --backend
// (checked to be the engine that serves), stopped in turn at the end, by PID.
//
// Prints "ok <what>" per passed check; on the first failure "FAIL <what>: <detail>" and exits 1.
// Every wait is bounded (no fixed sleeps); the whole run is bounded by OVERALL_MS. Chromium is
// Debian's (SOKET_CHROMIUM, else /usr/bin/chromium): Playwright downloads no browser.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const OVERALL_MS = 90000;
const WAIT_MS = 15000;

function usage(why) {
  process.stderr.write(
    `browser_chat.mjs: ${why}\nusage: node browser_chat.mjs --port P --soket PATH ` +
      '--password PW --artifacts DIR --locale en-US|id-ID --server-pid PID --password-file FILE ' +
      '--backend auto|epoll|io_uring\n');
  process.exit(2);
}

function parseArgs(argv) {
  const known = ['port', 'soket', 'password', 'artifacts', 'locale', 'server-pid', 'password-file', 'backend'];
  const opts = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (!flag.startsWith('--') || !known.includes(flag.slice(2))) usage(`unknown argument ${flag}`);
    if (i + 1 >= argv.length) usage(`${flag} needs a value`);
    opts[flag.slice(2)] = argv[i + 1];
  }
  for (const name of known) if (opts[name] === undefined) usage(`--${name} is missing`);
  opts.port = Number(opts.port);
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) usage('bad --port');
  opts.serverPid = Number(opts['server-pid']);
  if (!Number.isInteger(opts.serverPid) || opts.serverPid < 2) usage('bad --server-pid');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const BASE = `http://127.0.0.1:${opts.port}/`;
const INDONESIAN = /^id(?:-|$)/i.test(opts.locale);

class CheckFailed extends Error {
  constructor(what, detail) {
    super(`${what}: ${detail}`);
    this.what = what;
    this.detail = detail;
  }
}

let passed = 0;
let finished = false;  // Set once the result is out (a failure, the overall timeout, the end).
async function check(what, body) {
  try {
    await body();
  } catch (error) {
    if (error instanceof CheckFailed) throw error;
    throw new CheckFailed(what, oneLine(error && error.message ? error.message : String(error)));
  }
  passed += 1;
  if (!finished) console.log(`ok ${what}`);
}

function oneLine(text) {
  // Playwright's messages carry call logs over several lines: keep the gist.
  return String(text).replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.trim() !== '').slice(0, 3).join(' | ');
}

// ---- soket chat clients ------------------------------------------------------------------
const children = [];

function startClient(name, udp) {
  const args = ['chat', 'client', '-H', '127.0.0.1', '-p', String(opts.port), '-u', name];
  if (udp) args.push('--udp');
  const child = spawn(opts.soket, args, {
    env: { ...process.env, SOKET_CHAT_PASSWORD: opts.password },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const client = { name, child, lines: [], stderr: '', exit: null, waiters: new Set() };
  const notify = () => { for (const w of [...client.waiters]) w(); };
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    client.lines.push(line);
    notify();
  });
  child.stderr.on('data', (d) => { client.stderr = (client.stderr + d).slice(-2000); });
  child.on('error', (error) => { client.exit = `could not start ${opts.soket}: ${error.message}`; notify(); });
  child.on('exit', (code, signal) => { client.exit = `exited (${signal || code})`; notify(); });
  child.stdin.on('error', () => {});  // It may be gone already when we write or end.
  client.send = (line) => child.stdin.write(`${line}\n`);
  // Resolves when a line printed so far (or later) equals `line`.
  client.waitLine = (line, timeout = WAIT_MS) => new Promise((resolve, reject) => {
    let timer = null;
    const done = (fn, value) => { clearTimeout(timer); client.waiters.delete(test); fn(value); };
    const test = () => {
      if (client.lines.includes(line)) return done(resolve);
      if (client.exit !== null) return done(reject, new Error(`${name} ${client.exit} before printing "${line}"; ${describe(client)}`));
    };
    timer = setTimeout(() => done(reject, new Error(`${name} did not print "${line}" within ${timeout} ms; ${describe(client)}`)), timeout);
    client.waiters.add(test);
    test();
  });
  children.push(client);
  return client;
}

function describe(client) {
  const last = client.lines.slice(-5).map((l) => JSON.stringify(l)).join(', ');
  const err = client.stderr.trim().split('\n').slice(-2).join(' | ');
  return `last lines: [${last}]${err ? `; stderr: ${err}` : ''}`;
}

// ---- the server's restart -----------------------------------------------------------------
// Exited: no such process, or a zombie (the caller, its parent, reaps it later).
function gone(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

// SIGTERM to the caller's server, then until it is gone (polled, bounded).
async function stopServer(pid) {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + WAIT_MS;
  while (!gone(pid)) {
    if (Date.now() > deadline) throw new Error(`the server (PID ${pid}) did not exit on SIGTERM`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A server of our own on the same port, once its "listening on ... (tcp)" line is out.
function startServer() {
  const args = ['chat', 'server', '-p', String(opts.port), '--host', '127.0.0.1',
    '--password-file', opts['password-file'], '--backend', opts.backend];
  const child = spawn(opts.soket, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const server = { name: 'server', child, lines: [], stderr: '', exit: null, waiters: new Set() };
  child.stderr.on('data', (d) => { server.stderr = (server.stderr + d).slice(-2000); });
  child.on('exit', (code, signal) => { server.exit = `exited (${signal || code})`; });
  // Its first stderr line names the engine: the one asked for, or the test ran another.
  const engine = new Promise((resolve) => {
    readline.createInterface({ input: child.stderr }).once('line', resolve);
  });
  children.push(server);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the new server did not listen within ${WAIT_MS} ms: ${server.stderr}`)), WAIT_MS);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('listening on') || !line.endsWith('(tcp)')) return;
      clearTimeout(timer);
      engine.then((first) => {
        if (opts.backend === 'auto' || first.startsWith(`serving TCP connections with ${opts.backend} `)) {
          resolve(server);
        } else {
          reject(new Error(`the new server was asked for ${opts.backend} and said: ${first}`));
        }
      });
    });
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`the new server ${server.exit}: ${server.stderr}`)); });
  });
}

// ---- pages ---------------------------------------------------------------------------------
const pageProblems = [];

async function openPage(browser, label) {
  const context = await browser.newContext({ locale: opts.locale, viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageProblems.push(`${label}: script error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to (execute|apply|load|connect)/i.test(text)) {
      pageProblems.push(`${label}: ${text}`);
    }
  });
  const response = await page.goto(BASE, { waitUntil: 'load', timeout: WAIT_MS });
  if (!response || response.status() !== 200) {
    throw new Error(`GET / answered ${response ? response.status() : 'nothing'}`);
  }
  // The page's script writes the status line at once: if it is empty, the script did not run
  // (refused by the Content-Security-Policy, or failed).
  try {
    await page.waitForFunction(() => {
      const status = document.getElementById('status');
      return status !== null && status.textContent.trim() !== '';
    }, null, { timeout: 5000, polling: 100 });
  } catch (error) {
    throw new Error(`the page's script did not run` +
      (pageProblems.length ? `: ${pageProblems.slice(0, 2).join(' | ')}` : ' (no #status text)'));
  }
  return page;
}

// What the message list shows, for failure details.
async function lastMessages(page) {
  try {
    const shown = await page.$$eval('#messages .message', (items) =>
      items.slice(-5).map((li) => `${li.className}: ${li.textContent}`));
    return `last messages: [${shown.map((s) => JSON.stringify(s)).join(', ')}]`;
  } catch (error) {
    return `(page unreadable: ${oneLine(error.message)})`;
  }
}

// Waits for a message of `kind` (a class) with this sender (null: any) and exactly this text.
async function waitMessage(page, kind, sender, text, timeout = WAIT_MS) {
  try {
    await page.waitForFunction(
      ({ kind, sender, text }) =>
        Array.from(document.querySelectorAll(`#messages .message.${kind}`)).some((li) => {
          const s = li.querySelector('.sender');
          const t = li.querySelector('.text');
          return (sender === null || (s !== null && s.textContent === sender)) &&
            t !== null && t.textContent === text;
        }),
      { kind, sender, text }, { timeout, polling: 100 });
  } catch (error) {
    throw new Error(`no .message.${kind} ${sender === null ? '' : `from ${sender} `}` +
      `"${text}" within ${timeout} ms; ${await lastMessages(page)}`);
  }
}

async function members(page) {
  return page.$$eval('#members li', (items) => items.map((li) => li.textContent.trim()));
}

const base = (listed) => listed.split('@')[0];

async function waitMembers(page, wanted, unwanted, timeout = WAIT_MS) {
  try {
    await page.waitForFunction(
      ({ wanted, unwanted }) => {
        const have = Array.from(document.querySelectorAll('#members li'))
          .map((li) => li.textContent.trim().split('@')[0]);
        return wanted.every((n) => have.includes(n)) && !unwanted.some((n) => have.includes(n));
      },
      { wanted, unwanted }, { timeout, polling: 100 });
  } catch (error) {
    const have = await members(page).catch(() => ['?']);
    throw new Error(`members are [${have.join(', ')}] after ${timeout} ms; wanted ` +
      `[${wanted.join(', ')}]${unwanted.length ? ` without [${unwanted.join(', ')}]` : ''}`);
  }
}

async function type(page, text, enter) {
  const input = page.locator('#input');
  await input.click({ timeout: WAIT_MS });
  await input.pressSequentially(text, { timeout: WAIT_MS });
  if (enter) await input.press('Enter', { timeout: WAIT_MS });
}

async function join(page, name) {
  await page.locator('#password').pressSequentially(opts.password, { timeout: WAIT_MS });
  await page.locator('#name').pressSequentially(name, { timeout: WAIT_MS });
  await page.locator('#join').click({ timeout: WAIT_MS });
  // The room shows, or the form says why not.
  await page.waitForFunction(() => !document.getElementById('room').hidden ||
    !document.getElementById('join-error').hidden, null, { timeout: WAIT_MS, polling: 100 })
    .catch(() => {});
  if (!(await page.locator('#room').isVisible())) {
    const why = await page.locator('#join-error').textContent().catch(() => '');
    throw new Error(`${name} is not in the room` + (why ? `; the form says: ${why}` : ` after ${WAIT_MS} ms`));
  }
  await waitMessage(page, 'notice', null, `${name} joined the chat room.`);
}

// ---- the run -------------------------------------------------------------------------------
let browser = null;

async function run() {
  fs.mkdirSync(opts.artifacts, { recursive: true });
  await check('chromium starts', async () => {
    browser = await chromium.launch({
      executablePath: process.env.SOKET_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox'],
      timeout: WAIT_MS,
    });
  });

  let page1, page2;
  await check(`GET / serves the page to two browsers (${opts.locale})`, async () => {
    page1 = await openPage(browser, 'web1');
    page2 = await openPage(browser, 'web2');
  });

  const lang = INDONESIAN ? 'id' : 'en';
  const joinLabel = INDONESIAN ? 'Masuk' : 'Join';
  await check(`locale ${opts.locale}: html lang is "${lang}" and the Join button reads "${joinLabel}"`, async () => {
    for (const page of [page1, page2]) {
      const shown = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        join: document.getElementById('join').textContent.trim(),
      }));
      if (shown.lang !== lang || shown.join !== joinLabel) {
        throw new Error(`html lang "${shown.lang}", Join button "${shown.join}"`);
      }
    }
  });

  await check('web1 and web2 join through the form', async () => {
    await join(page1, 'web1');
    await join(page2, 'web2');
    await waitMessage(page1, 'notice', null, 'web2 joined the chat room.');
  });

  const tcp1 = startClient('tcp1', false);
  const udp1 = startClient('udp1', true);
  await check('soket chat clients tcp1 (TCP) and udp1 (UDP) join', async () => {
    await tcp1.waitLine('tcp1 joined the chat room.');
    await udp1.waitLine('udp1 joined the chat room.');
    await waitMessage(page1, 'notice', null, 'udp1 joined the chat room.');
    await waitMessage(page2, 'notice', null, 'udp1 joined the chat room.');
  });

  await check('a message typed in page 1 reaches page 2, tcp1 and udp1', async () => {
    await type(page1, 'hello from web1', true);
    await waitMessage(page1, 'own', 'web1', 'hello from web1');
    await waitMessage(page2, 'text', 'web1', 'hello from web1');
    await tcp1.waitLine('web1: hello from web1');
    await udp1.waitLine('web1: hello from web1');
    const value = await page1.inputValue('#input');
    if (value !== '') throw new Error(`page 1's input still holds "${value}" after sending`);
  });

  await check('lines from tcp1 and udp1 show in both pages with their sender', async () => {
    tcp1.send('hello from tcp1');
    udp1.send('hello from udp1');
    for (const page of [page1, page2]) {
      await waitMessage(page, 'text', 'tcp1', 'hello from tcp1');
      await waitMessage(page, 'text', 'udp1', 'hello from udp1');
    }
    const own = await page2.$$eval('#messages .message.own', (items) => items.map((li) => li.textContent));
    if (own.length !== 0) throw new Error(`page 2 marks others' messages as its own: ${own.join(' / ')}`);
  });

  await check('page 1 lists the members web1, web2, tcp1, udp1', async () => {
    await waitMembers(page1, ['web1', 'web2', 'tcp1', 'udp1'], []);
  });

  const draft = 'half-typed draft, not sent';
  await check('text typed in page 2 survives incoming messages (and keeps the focus)', async () => {
    await type(page2, draft, false);
    tcp1.send('a line while web2 types');
    await type(page1, 'another line while web2 types', true);
    await waitMessage(page2, 'text', 'tcp1', 'a line while web2 types');
    await waitMessage(page2, 'text', 'web1', 'another line while web2 types');
    const state = await page2.evaluate(() => ({
      value: document.getElementById('input').value,
      focused: document.activeElement ? document.activeElement.id : '',
    }));
    if (state.value !== draft) throw new Error(`the input holds "${state.value}", not "${draft}"`);
    if (state.focused !== 'input') throw new Error(`the focus is on #${state.focused}, not #input`);
  });

  await check('"/msg web2 secret" from page 1 shows as private in page 2 only', async () => {
    await page1.fill('#input', '');
    await type(page1, '/msg web2 secret', true);
    await waitMessage(page2, 'private', 'web1', 'secret');
    // A public line sent after it: once it is back, the private one was long delivered.
    await type(page1, 'after the secret', true);
    await waitMessage(page1, 'own', 'web1', 'after the secret');
    await tcp1.waitLine('web1: after the secret');
    await udp1.waitLine('web1: after the secret');
    const inPage1 = await page1.$$eval('#messages .message.private', (items) => items.map((li) => li.textContent));
    if (inPage1.length !== 0) throw new Error(`page 1 shows private messages: ${inPage1.join(' / ')}`);
    const leaked = [...tcp1.lines, ...udp1.lines].filter((l) => l.includes('secret') && !l.includes('after the secret'));
    if (leaked.length !== 0) throw new Error(`a soket client printed: ${leaked.join(' / ')}`);
  });

  await check(`screenshots saved in ${opts.artifacts}`, async () => {
    for (const [page, name] of [[page1, 'web1'], [page2, 'web2']]) {
      const file = path.join(opts.artifacts, `${name}-${opts.locale}.png`);
      await page.screenshot({ path: file, fullPage: false, timeout: WAIT_MS });
      if (fs.statSync(file).size === 0) throw new Error(`${file} is empty`);
    }
  });

  await check('closing page 2 makes page 1 show "web2 left the chat room." and drop web2 from the members', async () => {
    await page2.close();
    await waitMessage(page1, 'notice', null, 'web2 left the chat room.');
    await waitMembers(page1, ['web1', 'tcp1', 'udp1'], ['web2']);
    await tcp1.waitLine('web2 left the chat room.');
  });

  await check('the pages ran without script errors or Content-Security-Policy violations', async () => {
    if (pageProblems.length !== 0) throw new Error(pageProblems.slice(0, 3).join(' | '));
  });

  await check('Leave in page 1 sends exit and shows the join form again', async () => {
    await page1.locator('#leave').click({ timeout: WAIT_MS });
    await tcp1.waitLine('web1 left the chat room.');
    await page1.waitForSelector('#join-form', { state: 'visible', timeout: WAIT_MS });
  });

  let page3ForPhone = null;
  await check('after the server restarts, page 3 reconnects, joins again and chats', async () => {
    const page3 = await openPage(browser, 'web3');
    await join(page3, 'web3');
    await stopServer(opts.serverPid);
    await waitMessage(page3, 'system', null, INDONESIAN ? 'Sambungan terputus.' : 'Connection lost.');
    await startServer();
    await waitMessage(page3, 'system', null, INDONESIAN ? 'Tersambung kembali.' : 'Reconnected.', 30000);
    const tcp2 = startClient('tcp2', false);
    await tcp2.waitLine('tcp2 joined the chat room.');
    await waitMembers(page3, ['web3', 'tcp2'], ['web1', 'tcp1', 'udp1']);
    await type(page3, 'back after the restart', true);
    await tcp2.waitLine('web3: back after the restart');
    page3ForPhone = page3;
  });

  await check('on a phone-sized screen (375 x 667) the room fits its width and the input is in view', async () => {
    await page3ForPhone.setViewportSize({ width: 375, height: 667 });
    const layout = await page3ForPhone.evaluate(() => {
      const inView = (id) => {
        const box = document.getElementById(id).getBoundingClientRect();
        return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth &&
          box.top >= 0 && box.bottom <= window.innerHeight;
      };
      return { scrollWidth: document.documentElement.scrollWidth, input: inView('input'), send: inView('send') };
    });
    if (layout.scrollWidth > 375) throw new Error(`the page is ${layout.scrollWidth} px wide`);
    if (!layout.input || !layout.send) throw new Error(`out of view: ${!layout.input ? '#input ' : ''}${!layout.send ? '#send' : ''}`);
    await page3ForPhone.screenshot({ path: path.join(opts.artifacts, `phone-${opts.locale}.png`), timeout: WAIT_MS });
  });
}

// Children exit on their own first: "exit" then the end of stdin make `soket chat client`
// leave the room (a UDP member killed instead would keep its name until the server's idle
// timeout, and a second run against the same server would find it taken). Stragglers get
// SIGTERM, then SIGKILL, each by PID.
function exited(client, ms) {
  return new Promise((resolve) => {
    if (client.exit !== null || client.child.pid === undefined) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    client.child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

function signal(client, name) {
  if (client.exit !== null || client.child.pid === undefined) return;
  try { process.kill(client.child.pid, name); } catch { /* gone */ }
}

async function cleanup() {
  for (const client of children) {
    try {
      if (client.exit === null) client.child.stdin.write('exit\n');
      client.child.stdin.end();
    } catch { /* gone */ }
  }
  const closing = browser ? browser.close().catch(() => {}) : Promise.resolve();
  await Promise.all(children.map((client) => exited(client, 2000)));
  children.forEach((client) => signal(client, 'SIGTERM'));
  await Promise.all(children.map((client) => exited(client, 2000)));
  children.forEach((client) => signal(client, 'SIGKILL'));
  await Promise.race([closing, new Promise((r) => setTimeout(r, 5000))]);
}

const overall = setTimeout(async () => {
  if (finished) return;
  finished = true;
  console.log(`FAIL overall timeout: the run took more than ${OVERALL_MS / 1000} s`);
  await cleanup().catch(() => {});
  process.exit(1);
}, OVERALL_MS);

let code = 0;
try {
  await run();
  if (!finished) console.log(`browser chat (${opts.locale}): all ${passed} checks passed`);
} catch (error) {
  code = 1;
  if (!finished) {
    if (error instanceof CheckFailed) console.log(`FAIL ${error.what}: ${error.detail}`);
    else console.log(`FAIL unexpected: ${oneLine(error && error.stack ? error.stack : error)}`);
  }
} finally {
  if (!finished) {
    finished = true;
    clearTimeout(overall);
    await cleanup().catch(() => {});
  }
}
process.exit(code);
