# The book's idea (chapter 14), written for this playground: threads read a shared counter,
# pause, and write it back plus one. Updates get lost; a lock makes the total exact.
import threading
import time

counter = 0
lock = threading.Lock()

def unprotected():
    global counter
    value = counter        # read
    time.sleep(0.001)      # another thread runs here ...
    counter = value + 1    # ... and this write overwrites its update

def protected():
    global counter
    with lock:
        value = counter
        time.sleep(0.001)
        counter = value + 1

for target in (unprotected, protected):
    counter = 0
    threads = [threading.Thread(target=target) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(target.__name__, counter)  # unprotected: often far below 20; protected: 20
