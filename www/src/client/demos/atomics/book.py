# The book's chapter 17, written for this playground: 1000 threads each do n += 1, which
# CPython runs as LOAD n, ADD 1, STORE n. With a tiny switch interval a switch can fall
# between the LOAD and the STORE, and an update is lost; list.append is one step, never lost.
import sys
import threading

sys.setswitchinterval(1e-6)  # switch as often as CPython allows

n = 0
items = []

def increment():
    global n
    n += 1             # LOAD n; ADD 1; STORE n: three steps

def append():
    items.append(1)    # one step under the GIL

for target in (increment, append):
    threads = [threading.Thread(target=target) for _ in range(1000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

print(n)           # the book printed 998; Python 3.10+ usually prints 1000
print(len(items))  # always 1000
