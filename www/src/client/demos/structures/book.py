# Chapter 16's counters, as the book writes them in Python (written for this playground from
# the book's description; the book's numbers are its own, measured with CPython).
import threading
import time

class UnsafeCounter:              # 300 increments end near 101 in the book
    def __init__(self):
        self.count = 0
    def increment(self):
        value = self.count        # read ...
        time.sleep(0.001)         # ... another thread runs here (the playground: a spin of `gap`)
        self.count = value + 1    # ... write: one update lost

class LockedCounter:              # exact (300), and at least 0.3 s: threads take turns
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
    def increment(self):
        with self.lock:
            value = self.count
            time.sleep(0.001)
            self.count = value + 1

class ApproximateCounter:         # a local count per thread, moved every `threshold`
    def __init__(self, threshold=10):
        self.threshold = threshold
        self.global_count = 0
        self.global_lock = threading.Lock()
        self.local = threading.local()
    def increment(self):
        n = getattr(self.local, "count", 0) + 1
        if n >= self.threshold:
            with self.global_lock:
                self.global_count += n
            n = 0
        self.local.count = n
    def get(self):                # lags by what sits in the threads' local counts
        return self.global_count

# The reader racing a delete: each step takes the lock, the pair does not hold it.
d = {"key": 42}
lock = threading.Lock()

def reader():
    with lock:
        present = "key" in d
    if present:
        time.sleep(0.001)         # ... the deleter runs here ...
        with lock:
            value = d["key"]      # KeyError: it was there a moment ago

def deleter():
    with lock:
        del d["key"]
    with lock:
        d["key"] = 42

def reader_copy_on_read():        # the fix: read a snapshot taken under the lock
    with lock:
        snapshot = dict(d)
    if "key" in snapshot:
        time.sleep(0.001)
        value = snapshot["key"]   # never a KeyError: nobody changes the snapshot
