#!/usr/bin/env python3
# The endpoints' "servers" for bench/run.sh: answers HTTP 200 (and accepts TCP probes) on each
# given loopback address, so that tmdns and gdnsd see their endpoints Online.
"""backend.py PORT ADDR... -- serves until killed; loopback addresses only."""

import asyncio
import ipaddress
import sys

RESPONSE = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


async def handle(reader, writer):
    try:
        # A TCP probe connects and closes; an HTTP check sends a request first.
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        writer.write(RESPONSE)
        await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError,
            asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main():
    port = int(sys.argv[1])
    servers = []
    for addr in sys.argv[2:]:
        if not ipaddress.ip_address(addr).is_loopback:
            sys.exit("backend.py: %s is not a loopback address" % addr)
        servers.append(await asyncio.start_server(handle, addr, port, reuse_address=True))
    print("backend: listening on %d addresses, port %d" % (len(servers), port), flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main())
