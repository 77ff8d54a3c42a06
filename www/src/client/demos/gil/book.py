# Chapter 15's idea as the book writes it in Python; written for this project (the book's
# exact listing is not at hand, its structure and its numbers are the book's).
import sys
import time
from threading import Thread
from multiprocessing import Process

COUNT = 50_000_000

def countdown(n):
    while n > 0:   # the back-edge: where CPython checks for a drop request
        n -= 1

def timed(workers):
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - start

start = time.perf_counter()
countdown(COUNT)
print("one thread", time.perf_counter() - start)                   # the book: 2.80 s
print("two threads", timed([Thread(target=countdown, args=(COUNT // 2,)) for _ in range(2)]))    # the book: 2.74 s
print("two processes", timed([Process(target=countdown, args=(COUNT // 2,)) for _ in range(2)]))  # the book: 1.54 s

# The switch interval: how long a waiting thread lets the holder run before asking for the GIL.
print(sys.getswitchinterval())   # 0.005 in CPython (the book says 15 ms)
sys.setswitchinterval(1e-6)      # chapter 17's race: switch as often as possible
