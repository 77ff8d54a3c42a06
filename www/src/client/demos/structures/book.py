# Chapter 16's counters, as the book writes them in Python (written for this playground from
# the book's description; the book's numbers are its own, measured with CPython).
import threading
import time

class UnsafeCounter:              # 300 increments end near 101 in the book
    def __init__(self):
        self.count = 0
    def increment(self):
        value = self.count        # read ...
        time.sleep(0.001)         # ... another thread runs here ...
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
