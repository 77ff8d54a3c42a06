# The book's idea (chapter 3, "queuing in threading"), written for this playground: a fixed
# pool of k worker threads takes tasks from one shared queue until each gets a pill.
import queue
import threading

def run(task):
    size = sizes[task]
    for _ in range(size):
        is_prime(100_000_000_003)       # one unit of CPU work

k = 4
tasks = queue.Queue()
for t in range(len(sizes)):
    tasks.put(t)
for _ in range(k):
    tasks.put(None)                     # one poison pill per worker

def worker():
    while (task := tasks.get()) is not None:
        run(task)

workers = [threading.Thread(target=worker) for _ in range(k)]
for w in workers:
    w.start()
for w in workers:
    w.join()

# The same with the standard library's pool (also one shared queue inside):
#   with concurrent.futures.ThreadPoolExecutor(max_workers=k) as ex:
#       ex.map(run, range(len(sizes)))
# Python has no work-stealing pool; rayon's par_iter is the Rust side of this demo.
# (In CPython the GIL lets only one of these threads compute at a time; here they are real.)
