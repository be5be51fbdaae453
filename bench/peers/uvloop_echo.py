"""Python asyncio with uvloop: the idiomatic Protocol echo servers, TCP and UDP.
Usage: python3 uvloop_echo.py PORT [udp]"""
import asyncio
import sys

import uvloop


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


class EchoDatagram(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data, addr)


async def main(port, udp):
    loop = asyncio.get_running_loop()
    if udp:
        await loop.create_datagram_endpoint(EchoDatagram, local_addr=("127.0.0.1", port))
    else:
        server = await loop.create_server(EchoProtocol, "127.0.0.1", port, backlog=4096)
        await server.start_serving()
    await asyncio.Event().wait()


if __name__ == "__main__":
    uvloop.install()
    asyncio.run(main(int(sys.argv[1]), len(sys.argv) > 2 and sys.argv[2] == "udp"))
