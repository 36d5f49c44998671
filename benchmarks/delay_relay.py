# A TCP relay for benchmarks: every chunk read is delivered DELAY seconds later, in order, both ways, so a loopback
# connection behaves as one with a round trip of 2 x DELAY more (used by h2windows.sh). Usage: delay_relay.py LISTEN TARGET DELAY
import asyncio, sys, time
LISTEN, TARGET, DELAY = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
async def pump(reader, writer):
    q = asyncio.Queue()
    async def sender():
        try:
            while True:
                t, data = await q.get()
                if data is None:
                    break
                d = t + DELAY - time.monotonic()
                if d > 0:
                    await asyncio.sleep(d)
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
    task = asyncio.create_task(sender())
    try:
        while True:
            data = await reader.read(262144)
            if not data:
                break
            q.put_nowait((time.monotonic(), data))
    finally:
        q.put_nowait((0, None))
        await task
async def handle(cr, cw):
    ur, uw = await asyncio.open_connection('127.0.0.1', TARGET)
    await asyncio.gather(pump(cr, uw), pump(ur, cw), return_exceptions=True)
async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', LISTEN)
    async with server:
        await server.serve_forever()
asyncio.run(main())
