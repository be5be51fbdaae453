// soket chat page: the chat room's line protocol over a WebSocket, one line a text message.
// Served inline under a strict Content-Security-Policy: no inline handlers, no eval, no
// innerHTML with server data (every text goes in with textContent).
(function () {
  'use strict';

  var STRINGS = {
    en: {
      title: 'soket chat',
      joinTitle: 'Join the chat room',
      password: 'Password',
      name: 'Name',
      nameHint: 'Letters, digits, _ - . (at most 32)',
      namePlaceholder: 'e.g. ani',
      join: 'Join',
      leave: 'Leave',
      send: 'Send',
      messages: 'Messages',
      message: 'Message',
      inputPlaceholder: 'Type a message\u2026',
      members: 'Members',
      membersHint: 'Click a name to send a private message.',
      memberTitle: 'Send a private message to ',
      more: function (n) { return 'and ' + n + ' more'; },
      statusIdle: 'Not connected',
      statusConnecting: 'Connecting\u2026',
      statusJoining: 'Joining\u2026',
      statusJoined: function (n) { return 'Connected as ' + n; },
      statusReconnecting: 'Reconnecting\u2026',
      retryIn: function (s) { return ' (next try in ' + s + ' s)'; },
      statusWaitName: 'Waiting: the name is being claimed\u2026',
      statusNameHeld: 'The name is still held by the old connection; trying again\u2026',
      statusLeft: 'You left the chat room.',
      badPassword: 'Wrong password.',
      tooMany: 'Too many wrong passwords. Try again in a minute.',
      nameTaken: 'That name is already taken.',
      nameInvalid: 'Invalid name: use 1 to 32 letters, digits, _ - or .',
      roomFull: 'The chat room is full.',
      noName: 'Enter a name.',
      cannotConnect: 'Cannot reach the chat server.',
      noAnswer: 'The server did not answer.',
      serverSaid: 'The server answered: ',
      tooLong: 'The message is too long (at most 4096 bytes).',
      notConnected: 'Not connected: the message was not sent.',
      earlier: 'earlier',
      private: 'private',
      to: 'to',
      lost: 'Connection lost.',
      reconnected: 'Reconnected.'
    },
    id: {
      title: 'Obrolan soket',
      joinTitle: 'Masuk ke ruang obrolan',
      password: 'Kata sandi',
      name: 'Nama',
      nameHint: 'Huruf, angka, _ - . (paling banyak 32)',
      namePlaceholder: 'misalnya ani',
      join: 'Masuk',
      leave: 'Keluar',
      send: 'Kirim',
      messages: 'Pesan',
      message: 'Pesan',
      inputPlaceholder: 'Tulis pesan\u2026',
      members: 'Anggota',
      membersHint: 'Klik sebuah nama untuk mengirim pesan pribadi.',
      memberTitle: 'Kirim pesan pribadi kepada ',
      more: function (n) { return 'dan ' + n + ' lainnya'; },
      statusIdle: 'Tidak tersambung',
      statusConnecting: 'Menyambung\u2026',
      statusJoining: 'Sedang masuk\u2026',
      statusJoined: function (n) { return 'Tersambung sebagai ' + n; },
      statusReconnecting: 'Menyambung ulang\u2026',
      retryIn: function (s) { return ' (percobaan berikutnya dalam ' + s + ' detik)'; },
      statusWaitName: 'Menunggu: nama sedang didaftarkan\u2026',
      statusNameHeld: 'Nama masih dipakai oleh sambungan lama; mencoba lagi\u2026',
      statusLeft: 'Anda telah keluar dari ruang obrolan.',
      badPassword: 'Kata sandi salah.',
      tooMany: 'Terlalu banyak percobaan kata sandi yang salah. Coba lagi setelah satu menit.',
      nameTaken: 'Nama sudah dipakai.',
      nameInvalid: 'Nama tidak sah. Gunakan 1 sampai 32 huruf, angka, _ - atau .',
      roomFull: 'Ruang obrolan sudah penuh.',
      noName: 'Isilah nama terlebih dahulu.',
      cannotConnect: 'Tidak dapat menghubungi server obrolan.',
      noAnswer: 'Server tidak menjawab.',
      serverSaid: 'Jawaban server: ',
      tooLong: 'Pesan terlalu panjang (paling banyak 4096 bita).',
      notConnected: 'Tidak tersambung: pesan tidak terkirim.',
      earlier: 'sebelumnya',
      private: 'pribadi',
      to: 'kepada',
      lost: 'Sambungan terputus.',
      reconnected: 'Tersambung kembali.'
    }
  };

  function pickLanguage() {
    var wanted = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
    return /^id(?:-|_|$)/i.test(String(wanted)) ? 'id' : 'en';
  }
  var LANG = pickLanguage();
  var T = STRINGS[LANG];

  var PING_EVERY = 25000;       // Keep-alive while joined.
  var SILENT_LIMIT = 70000;     // Nothing heard for this long while joined: the link is dead.
  var ANSWER_WAIT = 15000;      // For PASSWORD / USERNAME answers.
  var RETRY_FIRST = 1000;
  var RETRY_MAX = 10000;
  var MAX_LINE_BYTES = 4096;
  var MAX_SHOWN = 1000;         // Messages kept in the list.
  var NAME = '[^\\s:]+';        // The server decides what a name is; parse leniently.
  var RE_TEXT = new RegExp('^(' + NAME + '): ([\\s\\S]*)$');
  var RE_HISTORY = new RegExp('^\\[history\\] (' + NAME + '): ([\\s\\S]*)$');
  var RE_PRIVATE = new RegExp('^\\[private\\] (' + NAME + '): ([\\s\\S]*)$');
  var RE_JOINED = new RegExp('^(' + NAME + ') joined the chat room\\.$');
  var RE_LEFT = new RegExp('^(' + NAME + ') left the chat room\\.$');
  var RE_MEMBERS = /^members \((\d+)\):(.*)$/;
  var RE_TOKEN = /^TOKEN [0-9A-Fa-f]+$/;

  function $(id) { return document.getElementById(id); }
  var el = {
    joinView: $('join-view'), form: $('join-form'), password: $('password'), name: $('name'),
    join: $('join'), joinError: $('join-error'), room: $('room'), messages: $('messages'),
    members: $('members'), memberCount: $('member-count'), membersMore: $('members-more'),
    compose: $('compose'), input: $('input'), send: $('send'), leave: $('leave'),
    status: $('status')
  };

  // ---- Language -------------------------------------------------------------------------
  document.documentElement.lang = LANG;
  document.title = T.title;
  Array.prototype.forEach.call(document.querySelectorAll('[data-i18n]'), function (node) {
    var text = T[node.getAttribute('data-i18n')];
    if (typeof text === 'string') node.textContent = text;
  });
  el.input.placeholder = T.inputPlaceholder;
  el.name.placeholder = T.namePlaceholder;

  // ---- State ----------------------------------------------------------------------------
  // phase: idle (the form) | connecting | password | username | joined | waiting (to retry)
  var phase = 'idle';
  var ws = null;             // The current socket; handlers of an older one do nothing.
  var creds = null;          // { password, name }: in memory only, for re-joining.
  var everJoined = false;    // Joined once with these creds: drops re-join by themselves.
  var rejoining = false;     // After a re-join, until live lines come: skip repeated history.
  var retryDelay = RETRY_FIRST;
  var retryTimer = 0, retryTick = 0, pingTimer = 0, answerTimer = 0, whoTimer = 0;
  var lastHeard = 0;
  var stickNext = false;     // Scroll down on the next message whatever the position.
  var seen = new Set();      // "name: text" shown, to skip history repeated after a re-join.
  var seenOrder = [];
  var expectHelp = false;
  var takenTries = 0;        // Re-joins answered USERNAME TAKEN in a row.
  var TAKEN_TRIES = 8;       // Then the name is someone else's now (about a minute).    // "/help" sent: its first line looks like a message from "commands".

  function setStatus(text, kind) {
    el.status.textContent = text;
    el.status.className = 'status-' + (kind || 'idle');
  }
  setStatus(T.statusIdle, 'idle');

  function showForm(error) {
    el.room.hidden = true;
    el.leave.hidden = true;
    el.joinView.hidden = false;
    el.join.disabled = false;
    if (error) {
      el.joinError.textContent = error;
      el.joinError.hidden = false;
    } else {
      el.joinError.textContent = '';
      el.joinError.hidden = true;
    }
  }

  function showRoom() {
    el.joinView.hidden = true;
    el.room.hidden = false;
    el.leave.hidden = false;
  }

  function clearTimers() {
    clearTimeout(retryTimer); clearInterval(retryTick); clearInterval(pingTimer);
    clearTimeout(answerTimer); clearTimeout(whoTimer);
    retryTimer = retryTick = pingTimer = answerTimer = whoTimer = 0;
  }

  // Close the current socket on purpose: its close event then does nothing.
  function dropSocket() {
    var old = ws;
    ws = null;
    if (old) {
      try { old.close(1000); } catch (e) { /* already closing */ }
    }
  }

  function sendLine(line) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(line);
    return true;
  }

  // ---- Connecting, joining, re-joining --------------------------------------------------
  function wsUrl() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  }

  function connect() {
    clearTimers();
    dropSocket();
    phase = 'connecting';
    setStatus(everJoined ? T.statusReconnecting : T.statusConnecting, 'wait');
    var sock;
    try {
      sock = new WebSocket(wsUrl());
    } catch (e) {
      return connectionLost();
    }
    ws = sock;
    expectAnswer();
    sock.addEventListener('open', function () {
      if (sock !== ws) return;
      phase = 'password';
      setStatus(T.statusJoining, 'wait');
      sendLine('PASSWORD ' + creds.password);
      expectAnswer();
    });
    sock.addEventListener('message', function (event) {
      if (sock !== ws) return;
      if (typeof event.data !== 'string') return;  // The protocol is text only.
      lastHeard = Date.now();
      // One line a message; split anyway should a server ever send several.
      event.data.split(/\r?\n/).forEach(function (line) {
        if (line !== '' && sock === ws) onLine(line);
      });
    });
    sock.addEventListener('close', function () {
      if (sock !== ws) return;
      ws = null;
      connectionLost();
    });
  }

  // No answer in time while connecting or joining: give up on this socket.
  function expectAnswer() {
    clearTimeout(answerTimer);
    answerTimer = setTimeout(function () {
      if (phase === 'connecting' || phase === 'password' || phase === 'username') {
        dropSocket();
        connectionLost(T.noAnswer);
      }
    }, ANSWER_WAIT);
  }

  function connectionLost(why) {
    var wasJoined = phase === 'joined';
    clearTimers();
    if (phase === 'idle') return;
    if (!everJoined) {
      phase = 'idle';
      setStatus(T.statusIdle, 'down');
      showForm(why || T.cannotConnect);
      return;
    }
    if (wasJoined) {
      addMessage('system', null, T.lost, { divider: true });
      retryDelay = RETRY_FIRST;
    }
    scheduleRetry(T.statusReconnecting);
  }

  function scheduleRetry(statusText) {
    clearTimers();
    dropSocket();
    phase = 'waiting';
    var delay = retryDelay;
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX);
    var due = Date.now() + delay;
    var show = function () {
      var left = Math.max(1, Math.ceil((due - Date.now()) / 1000));
      setStatus(statusText + T.retryIn(left), 'wait');
    };
    show();
    retryTick = setInterval(show, 1000);
    retryTimer = setTimeout(connect, delay);
  }

  // A failure that asking again will not fix: back to the form with its reason.
  function joinFailed(reason) {
    clearTimers();
    dropSocket();
    phase = 'idle';
    everJoined = false;
    creds = null;
    if (reason === T.badPassword) el.password.value = '';
    setStatus(T.statusIdle, 'down');
    showForm(reason);
    (reason === T.badPassword || reason === T.tooMany ? el.password : el.name).focus();
  }

  function joined() {
    clearTimeout(answerTimer);
    var again = everJoined;
    phase = 'joined';
    everJoined = true;
    rejoining = again;
    retryDelay = RETRY_FIRST;
    lastHeard = Date.now();
    showRoom();
    setStatus(T.statusJoined(creds.name), 'ok');
    if (again) addMessage('system', null, T.reconnected, { divider: true });
    pingTimer = setInterval(function () {
      if (phase !== 'joined') return;
      if (Date.now() - lastHeard > SILENT_LIMIT) {  // A dead link the browser did not notice.
        dropSocket();
        connectionLost();
        return;
      }
      sendLine('PING');
    }, PING_EVERY);
    askWho(0);
    el.input.focus();
  }

  function onLine(line) {
    if (phase === 'password') return onPasswordAnswer(line);
    if (phase === 'username') return onNameAnswer(line);
    if (phase === 'joined') return onRoomLine(line);
  }

  function onPasswordAnswer(line) {
    if (line === 'PASSWORD OK') {
      phase = 'username';
      sendLine('USERNAME ' + creds.name);
      expectAnswer();
    } else if (line === 'PASSWORD INCORRECT') {
      joinFailed(T.badPassword);
    } else if (line === 'ERROR too many attempts') {
      if (everJoined) scheduleRetry(T.statusReconnecting); else joinFailed(T.tooMany);
    } else if (everJoined) {
      scheduleRetry(T.statusReconnecting);
    } else {
      joinFailed(T.serverSaid + line);
    }
  }

  function onNameAnswer(line) {
    if (line === 'USERNAME OK') {
      takenTries = 0;
      return joined();
    }
    if (line === 'ERROR wait: your name is being claimed') {
      setStatus(T.statusWaitName, 'wait');
      return expectAnswer();
    }
    if (line === 'USERNAME INVALID') return joinFailed(T.nameInvalid);
    if (everJoined && line === 'USERNAME TAKEN' && ++takenTries >= TAKEN_TRIES) {
      takenTries = 0;
      return joinFailed(T.nameTaken);
    }
    if (everJoined) {
      // Taken (the old connection not yet noticed gone), full, split...: ask again later.
      return scheduleRetry(line === 'USERNAME TAKEN' ? T.statusNameHeld : T.statusReconnecting);
    }
    if (line === 'USERNAME TAKEN') return joinFailed(T.nameTaken);
    if (line === 'ERROR room full') return joinFailed(T.roomFull);
    joinFailed(T.serverSaid + line);
  }

  function sameName(a, b) { return a.toLowerCase() === b.toLowerCase(); }
  function baseName(listed) { var at = listed.indexOf('@'); return at > 0 ? listed.slice(0, at) : listed; }

  function remember(key) {
    if (seen.has(key)) return;
    seen.add(key);
    seenOrder.push(key);
    if (seenOrder.length > 2 * MAX_SHOWN) seen.delete(seenOrder.shift());
  }

  function onRoomLine(line) {
    var m;
    if (line === 'PONG' || RE_TOKEN.test(line)) return;
    if ((m = RE_MEMBERS.exec(line))) return showMembers(Number(m[1]), m[2]);
    if ((m = RE_HISTORY.exec(line))) {
      var key = m[1] + ': ' + m[2];
      if (rejoining && seen.has(key)) return;  // Shown before the connection dropped.
      remember(key);
      return addMessage('history', m[1], m[2]);
    }
    rejoining = false;
    if ((m = RE_PRIVATE.exec(line))) return addMessage('private', m[1], m[2]);
    if (expectHelp && line.lastIndexOf('commands: ', 0) === 0) {
      expectHelp = false;
      return addMessage('system', null, line);
    }
    if ((m = RE_TEXT.exec(line))) {
      remember(line);
      return addMessage('text', m[1], m[2], { own: sameName(m[1], creds.name) });
    }
    if ((m = RE_JOINED.exec(line))) {
      addMessage('notice', null, line);
      return askWho(200);
    }
    if ((m = RE_LEFT.exec(line))) {
      removeMember(m[1]);
      addMessage('notice', null, line);
      return askWho(200);
    }
    if (line.lastIndexOf('ERROR', 0) === 0) return addMessage('error', null, line);
    addMessage('system', null, line);
  }

  // ---- Members ---------------------------------------------------------------------------
  // "/who" after joining and after each join or leave, several close together sent once.
  function askWho(delay) {
    if (whoTimer) return;
    whoTimer = setTimeout(function () {
      whoTimer = 0;
      if (phase === 'joined') sendLine('/who');
    }, delay);
  }

  function showMembers(count, rest) {
    var more = 0;
    var tail = /\s+and (\d+) more\s*$/.exec(rest);
    if (tail) {
      more = Number(tail[1]);
      rest = rest.slice(0, tail.index);
    }
    var names = rest.split(/\s+/).filter(function (n) { return n !== ''; });
    el.memberCount.textContent = '(' + count + ')';
    el.membersMore.textContent = more > 0 ? T.more(more) : '';
    el.membersMore.hidden = more === 0;
    var shown = Array.prototype.map.call(el.members.children, function (li) { return li.textContent; });
    if (shown.join(' ') === names.join(' ')) return;  // Unchanged: keep the elements (and focus).
    var fragment = document.createDocumentFragment();
    names.forEach(function (listed) {
      var li = document.createElement('li');
      li.textContent = listed;
      li.tabIndex = 0;
      li.title = T.memberTitle + baseName(listed);
      if (creds && sameName(baseName(listed), creds.name)) li.classList.add('me');
      fragment.appendChild(li);
    });
    el.members.replaceChildren(fragment);
  }

  function removeMember(name) {
    Array.prototype.forEach.call(el.members.children, function (li) {
      if (sameName(baseName(li.textContent), name)) li.remove();
    });
  }

  function pickMember(li) {
    var name = baseName(li.textContent);
    var typed = el.input.value.replace(/^\/msg\s+\S+\s?/, '');
    el.input.value = '/msg ' + name + ' ' + typed;
    el.input.focus();
    var end = el.input.value.length;
    el.input.setSelectionRange(end, end);
  }

  el.members.addEventListener('click', function (event) {
    var li = event.target.closest('li');
    if (li && el.members.contains(li)) pickMember(li);
  });
  el.members.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    var li = event.target.closest('li');
    if (!li) return;
    event.preventDefault();
    pickMember(li);
  });

  // ---- Messages --------------------------------------------------------------------------
  function two(n) { return (n < 10 ? '0' : '') + n; }

  function addMessage(kind, sender, text, options) {
    options = options || {};
    var list = el.messages;
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    var now = new Date();
    var li = document.createElement('li');
    li.classList.add('message', kind);
    if (options.own) li.classList.add('own');
    if (options.extra) li.classList.add(options.extra);
    if (options.divider) li.classList.add('divider');
    var time = document.createElement('time');
    time.className = 'time';
    time.dateTime = now.toISOString();
    time.title = now.toLocaleString(LANG === 'id' ? 'id-ID' : undefined);
    time.textContent = two(now.getHours()) + ':' + two(now.getMinutes());
    li.appendChild(time);
    if (kind === 'history' || kind === 'private' || options.label) {
      var label = document.createElement('span');
      label.className = 'label';
      label.textContent = options.label || (kind === 'history' ? T.earlier : T.private);
      li.appendChild(label);
    }
    if (sender !== null) {
      var who = document.createElement('span');
      who.className = 'sender';
      who.textContent = sender;
      li.appendChild(who);
    }
    var body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    li.appendChild(body);
    list.appendChild(li);
    while (list.children.length > MAX_SHOWN) list.firstElementChild.remove();
    if (atBottom || stickNext) list.scrollTop = list.scrollHeight;
    stickNext = false;
  }

  function utf8Length(text) {
    return new TextEncoder().encode(text).length;
  }

  function sendTyped() {
    var text = el.input.value.replace(/\r\n|\r|\n/g, ' ');
    el.input.focus();
    if (text.trim() === '') return;
    if (phase !== 'joined') {
      addMessage('error', null, T.notConnected);
      return;
    }
    if (utf8Length(text) > MAX_LINE_BYTES) {
      addMessage('error', null, T.tooLong);
      return;
    }
    if (text === 'exit' || /^\/quit(?: |$)/.test(text)) return leave();
    if (!sendLine(text)) {
      addMessage('error', null, T.notConnected);
      return;
    }
    el.input.value = '';
    stickNext = true;
    if (/^\/help(?: |$)/.test(text)) expectHelp = true;
    var m = /^\/msg (\S+) ([\s\S]*\S[\s\S]*)$/.exec(text);
    if (m) {  // The server echoes nothing to the sender of a private message.
      addMessage('system', '\u2192 ' + m[1], m[2], { extra: 'outgoing', label: T.private });
    }
  }

  el.compose.addEventListener('submit', function (event) {
    event.preventDefault();
    sendTyped();
  });
  // The button must not take the focus away from the input.
  el.send.addEventListener('mousedown', function (event) { event.preventDefault(); });

  function leave() {
    var old = ws;
    clearTimers();
    ws = null;
    phase = 'idle';
    everJoined = false;
    var name = creds ? creds.name : '';
    creds = null;
    if (old && old.readyState === WebSocket.OPEN) {
      try { old.send('exit'); } catch (e) { /* closing anyway */ }
      // The server closes after "exit"; close ourselves should it not.
      setTimeout(function () { try { old.close(1000); } catch (e) { /* closed */ } }, 2000);
    } else if (old) {
      try { old.close(1000); } catch (e) { /* closed */ }
    }
    setStatus(T.statusLeft, 'idle');
    el.password.value = '';
    el.name.value = name;
    showForm();
    el.password.focus();
  }
  el.leave.addEventListener('click', leave);

  // ---- The join form ---------------------------------------------------------------------
  el.form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (phase !== 'idle') return;
    var name = el.name.value.trim();
    if (name === '') {
      showForm(T.noName);
      el.name.focus();
      return;
    }
    creds = { password: el.password.value.replace(/\r\n|\r|\n/g, ''), name: name };
    everJoined = false;
    rejoining = false;
    takenTries = 0;
    retryDelay = RETRY_FIRST;
    el.messages.replaceChildren();
    el.members.replaceChildren();
    el.memberCount.textContent = '';
    el.membersMore.hidden = true;
    seen.clear();
    seenOrder = [];
    el.join.disabled = true;
    el.joinError.hidden = true;
    connect();
  });

  // Back online: try at once rather than at the end of the backoff.
  window.addEventListener('online', function () {
    if (phase === 'waiting') connect();
  });

  el.name.focus();
})();
