# The book's idea (chapters 3 and 6), written for this playground: producers put items in one
# queue, consumers get them. A bounded queue makes producers wait while it is full.
import queue
import threading
import time

PRODUCERS, CONSUMERS, ITEMS = 2, 2, 8
q = queue.Queue(maxsize=3)        # queue.LifoQueue(3), queue.PriorityQueue(3)

def producer(p):
    for i in range(ITEMS):
        time.sleep(0.020)                             # make the item
        item_id = p * ITEMS + i
        priority = (7 * item_id + 3) % 10             # only the PriorityQueue looks at it
        q.put((priority, item_id, p, time.time()))    # blocks while the queue is full

def consumer(c):
    while True:
        item = q.get()                                # blocks while the queue is empty
        if item is None:                              # a poison pill: stop
            break
        priority, item_id, p, put_at = item
        print(f"C{c + 1} got #{item_id} from P{p + 1} after {time.time() - put_at:.3f} s")
        time.sleep(0.045)                             # process it
        q.task_done()

producers = [threading.Thread(target=producer, args=(p,)) for p in range(PRODUCERS)]
consumers = [threading.Thread(target=consumer, args=(c,)) for c in range(CONSUMERS)]
for t in producers + consumers:
    t.start()
for t in producers:
    t.join()
for _ in consumers:
    q.put(None)   # one pill per consumer, after every item (a PriorityQueue needs a pill
                  # that sorts last, e.g. (10, None, …); a LifoQueue serves the pills first)
for t in consumers:
    t.join()

# Python 3.13 instead: consumers loop `while True: item = q.get()` until it raises
# queue.ShutDown, and the main thread does `q.join(); q.shutdown()` after the producers.
