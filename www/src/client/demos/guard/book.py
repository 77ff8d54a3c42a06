# The book's idea (chapter 4), written for this playground: a failure inside a critical
# section. Released by hand, the lock leaks; with `with`, it is released on every way out.
import threading

lock = threading.Lock()

def manual():
    lock.acquire()
    open("missing.txt")   # raises FileNotFoundError: release() below never runs
    lock.release()

def guarded():
    with lock:            # released when the block exits, even by an exception
        open("missing.txt")

for f in (guarded, manual):
    try:
        f()
    except FileNotFoundError as e:
        print(f.__name__, "failed:", e)
    print("lock still held?", lock.locked())  # guarded: False; manual: True
# After manual(), the next lock.acquire() waits forever.
