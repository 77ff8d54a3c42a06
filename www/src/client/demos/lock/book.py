# The book's idea (chapter 3), written for this playground: threads add to one counter
# inside a critical section guarded by a lock. The total is exact; the threads wait.
import threading

counter = 0
lock = threading.Lock()

def work(increments):
    global counter
    for _ in range(increments):
        with lock:                 # blocking acquire; lock.acquire(blocking=False) is try_lock
            value = counter        # read ...
            counter = value + 1    # ... and write, with nobody else in between

threads = [threading.Thread(target=work, args=(20_000,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(counter)  # 80000, every time
