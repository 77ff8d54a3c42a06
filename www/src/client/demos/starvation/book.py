# The book's idea (chapter 13), written for this playground: readers-writers with reader
# preference. The first reader in locks the writers out, the last one out lets them in, so
# while readers keep overlapping the count never drops to 0 and the writers starve.
import threading

readers = 0
counter_lock = threading.Lock()   # guards `readers`
room = threading.Lock()           # held by a writer, or by the readers as a group

def reader():
    global readers
    while True:
        with counter_lock:
            readers += 1
            if readers == 1:
                room.acquire()    # the first reader locks the writers out
        read_the_document()
        with counter_lock:
            readers -= 1
            if readers == 0:
                room.release()    # the last reader lets them in: if it ever is the last

def writer():
    while True:
        with room:                # waits for an empty room, which may never come
            write_the_document()

for target in [reader] * 3 + [writer] * 2:
    threading.Thread(target=target, daemon=True).start()
