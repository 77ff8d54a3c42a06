# Chapters 9-11's ideas, as the book writes them in Python with asyncio. Written for this
# project: the book's exact listings are not at hand, the structure is the book's.
import asyncio
import time

import aiofiles
import aiohttp

# Chapter 10: three countdowns, A ticks every 1 s, B every 0.8 s, C every 0.5 s.
async def count_down(name, delay, n=3, blocking=False, cpu_ms=0, offload=False):
    loop = asyncio.get_running_loop()
    for i in range(n, 0, -1):
        if blocking:
            time.sleep(delay)              # blocks the loop: nobody else runs meanwhile
        else:
            await asyncio.sleep(delay)     # suspends this task: the loop runs the others
        if cpu_ms and offload:             # CPU work to a pool; the loop keeps serving timers
            await loop.run_in_executor(None, spin, cpu_ms)
        elif cpu_ms:
            spin(cpu_ms)                   # CPU work on the loop: async does not make it faster
        print(f'{name}: {i}')

def spin(ms):
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass

async def main():
    start = time.perf_counter()
    await asyncio.gather(count_down('A', 1), count_down('B', 0.8), count_down('C', 0.5))
    print(f'Took {time.perf_counter() - start:.2f} s')   # 3.0 s; in sequence 6.9 s

# Chapter 9: one cook, dishes with waiting steps (the oven, the pot). Waiting steps overlap
# when the cook awaits them instead of standing by; the best order starts the longest wait first.
async def dish(name, steps):
    for kind, minutes in steps:
        if kind == 'work':
            time.sleep(minutes)            # the cook's hands: one thing at a time
        else:
            await asyncio.sleep(minutes)   # it cooks by itself: the cook is free

# Chapter 11: producers and consumers on an asyncio.Queue.
async def producer(q, name, items):
    for item in items:
        await q.put(item)                  # waits while a bounded queue is full
        print(f'{name} put {item}')

async def consumer(q, name):
    while True:
        item = await q.get()               # waits while the queue is empty
        print(f'{name} got {item}')
        q.task_done()

async def channels():
    q = asyncio.Queue(maxsize=2)
    consumers = [asyncio.create_task(consumer(q, f'C{i}')) for i in range(2)]
    await asyncio.gather(producer(q, 'P0', range(0, 5)), producer(q, 'P1', range(5, 10)))
    await q.join()                         # every item taken and marked done
    for c in consumers:
        c.cancel()

# Chapter 11: an echo server written as a protocol; the loop calls it on each event.
class EchoServerProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
    def data_received(self, data):
        self.transport.write(data)         # echo it back

async def echo_server():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(EchoServerProtocol, '127.0.0.1', 8888)
    async with server:
        await server.serve_forever()

# Chapter 11: five downloads, each a request and then its chunks, written as they come.
async def download(session, url, path):
    async with session.get(url) as res:              # one round trip before the first byte
        async with aiofiles.open(path, 'wb') as f:
            async for chunk in res.content.iter_chunked(64 * 1024):
                await f.write(chunk)                 # a plain f.write() would hold the loop

async def downloads(urls):
    async with aiohttp.ClientSession() as session:   # overlapped: the longest file sets the total
        await asyncio.gather(*(download(session, u, u.rsplit('/', 1)[1]) for u in urls))

asyncio.run(main())
