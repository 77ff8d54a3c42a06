# Chapter 12 in Python: five philosophers, one lock per fork. Each takes the fork on
# its left, pauses, and reaches for the one on its right. If all of them hold a left
# fork at the same moment, each waits for its neighbour for ever: a deadlock.
import threading
import time

K = 5
forks = [threading.Lock() for _ in range(K)]


def philosopher(i, meals=5, ordered=False):
    left, right = forks[i], forks[(i + 1) % K]
    if ordered:  # the fix: one global order, lower-numbered fork first
        left, right = sorted((left, right), key=forks.index)
    for _ in range(meals):
        time.sleep(0.005)            # think
        with left:
            time.sleep(0.1)          # holding one fork: the dangerous moment
            with right:              # without the fix, everyone may wait here for ever
                time.sleep(0.01)     # eat


def polite_philosopher(i, meals=5):
    """Try-lock with back-off: no deadlock, but a livelock is possible."""
    left, right = forks[i], forks[(i + 1) % K]
    eaten = 0
    while eaten < meals:
        with left:
            if right.acquire(blocking=False):
                try:
                    time.sleep(0.01)     # eat
                    eaten += 1
                finally:
                    right.release()
                continue
        time.sleep(0.01)                 # put the left fork back and try again


threads = [threading.Thread(target=philosopher, args=(i,)) for i in range(K)]
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=2)
stuck = [t.name for t in threads if t.is_alive()]
print("deadlocked:", stuck if stuck else "no")   # Python cannot undo it: the threads stay stuck
