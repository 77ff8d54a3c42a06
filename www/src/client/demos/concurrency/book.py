# The book's idea (chapter 1), written for this playground: check numbers for primality one
# after another, then with a pool of threads that hands out tasks as threads become free.
import concurrent.futures
import math
import time

def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    for d in range(3, math.isqrt(n) + 1, 2):
        if n % d == 0:
            return False
    return True

numbers = [10**13 + i for i in range(500)]

start = time.perf_counter()
sequential = [n for n in numbers if is_prime(n)]
print(f"sequential: {len(sequential)} primes in {time.perf_counter() - start:.2f} s")

start = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    futures = {pool.submit(is_prime, n): n for n in numbers}
    found = [futures[f] for f in concurrent.futures.as_completed(futures) if f.result()]
# In CPython the GIL lets one thread run Python code at a time, so this is not faster;
# the Rust version runs on real cores.
print(f"pool of 4: {len(found)} primes, in completion order, in {time.perf_counter() - start:.2f} s")
