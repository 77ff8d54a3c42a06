# Chapter 5's idea, as the book writes it in Python: ping each status page one after
# another, then with one thread per URL; a slow page makes join() wait, and a timeout ends
# the client's wait (the server is not told to stop). Written for this project; the book's
# server (httpstat.us) is here the site's own status route.
import threading
import time

import requests

urls = [f'https://httpstat.us/{code}' for code in (200, 400, 404, 408, 500, 524)]

def ping(url, timeout=None):
    try:
        res = requests.get(url, timeout=timeout)
        print(f'{url}: {res.text}')
    except requests.exceptions.Timeout:
        print(f'{url}: Custom timeout')

start = time.time()
for url in urls:                      # sequential: each waits for the one before
    ping(url)
print(f'Sequential: {time.time() - start:.2f} seconds')   # the book: 0.82 s

start = time.time()
threads = [threading.Thread(target=ping, args=(url,)) for url in urls]
for t in threads:
    t.start()
for t in threads:                     # join waits for the slowest answer
    t.join()
print(f'Threading: {time.time() - start:.2f} seconds')    # the book: 0.14 s

# A pool of k threads shares the URLs; a timeout gives up on a slow page.
from concurrent.futures import ThreadPoolExecutor
with ThreadPoolExecutor(max_workers=3) as pool:
    pool.map(lambda u: ping(u, timeout=5), urls + ['https://httpstat.us/200?sleep=20000'])
