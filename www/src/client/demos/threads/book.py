# The book's idea (chapter 3), written for this playground: named threads count down,
# sleeping between lines, so their output interleaves. Set USE_LOCK to serialise them.
import threading
import time

USE_LOCK = False
lock = threading.Lock()

def countdown(name, delay, count=5):
    if USE_LOCK:
        lock.acquire()
    for n in range(count, 0, -1):
        print(f"{name}: {n}")
        time.sleep(delay)
    if USE_LOCK:
        lock.release()

threads = [threading.Thread(target=countdown, name=name, args=(name, 0.5)) for name in "AB"]
for t in threads:
    t.start()
print("alive:", [t.name for t in threading.enumerate()], "count:", threading.active_count())
for t in threads:
    t.join()
print("is A alive after join?", threads[0].is_alive())
