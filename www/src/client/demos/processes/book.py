# The book's idea (chapter 6), written for this playground: processes with names and pids,
# a daemon that dies with the main program, join with a timeout, terminate, and a queue
# between a producer and consumers. Nothing is shared: every item is pickled through a pipe.
import multiprocessing as mp
import time

def work():
    time.sleep(0.02)

def forever():
    while True:
        time.sleep(0.02)

def producer(q, items, pills):
    for i in range(items):
        time.sleep(0.002)
        q.put(i)
    for _ in range(pills):
        q.put(None)                      # one poison pill per consumer

def consumer_polling(q):
    while not q.empty():                 # the book's loop: stops at the first empty moment
        item = q.get()                   # and can block here, if another took the last item

def consumer_pills(q):
    while (item := q.get()) is not None:
        pass

if __name__ == '__main__':
    q = mp.Queue()
    worker = mp.Process(name='worker', target=work)
    background = mp.Process(name='background', target=forever, daemon=True)
    slow = mp.Process(name='slow', target=forever)
    killed = mp.Process(name='killed', target=forever)
    prod = mp.Process(name='producer', target=producer, args=(q, 20, 0))
    consumers = [mp.Process(name=f'consumer-{i}', target=consumer_polling, args=(q,)) for i in range(1, 4)]
    for p in [worker, background, slow, killed, prod, *consumers]:
        p.start()
        print(p.name, p.pid)
    killed.terminate()
    for p in [worker, slow, prod, *consumers]:
        p.join(timeout=1)                # returns after 1 s even if p still runs
        print(p.name, 'alive' if p.is_alive() else 'exit code', p.exitcode)
    slow.terminate()
    # main ends: the daemon is terminated with it
