// Node.js's idiomatic echo servers: net (socket.pipe(socket)) and dgram.
// Usage: node node_echo.js PORT [udp]
'use strict';
const port = Number(process.argv[2]);
if (process.argv[3] === 'udp') {
  const dgram = require('dgram');
  const server = dgram.createSocket('udp4');
  server.on('message', (message, remote) => server.send(message, remote.port, remote.address));
  server.bind(port, '127.0.0.1');
} else {
  const net = require('net');
  net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  }).listen({ port, host: '127.0.0.1', backlog: 4096 });
}
