# The book's idea (chapter 7), written for this playground: a pairwise sum in rounds. Each
# round, worker threads add the pairs of the list; a barrier ends the round, and the next one
# starts from the partial sums. [1, 4, 8, 3, 2, 5] -> [5, 11, 7] -> [16, 7] -> [23].
import threading

def reduce_in_rounds(numbers, op, k=4):
    level = list(numbers)
    while len(level) > 1:
        pairs = len(level) // 2
        nxt = [None] * ((len(level) + 1) // 2)
        if len(level) % 2:
            nxt[-1] = level[-1]          # the odd one out goes on as it is

        per = -(-pairs // k)             # a block of pairs for each worker

        def work(t):
            for i in range(t * per, min((t + 1) * per, pairs)):
                nxt[i] = op(level[2 * i], level[2 * i + 1])

        threads = [threading.Thread(target=work, args=(t,)) for t in range(k)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()                     # the barrier: the round ends for everyone
        level = nxt
    return level[0]

print(reduce_in_rounds([1, 4, 8, 3, 2, 5], lambda a, b: a + b))   # 23, in 3 rounds
print(reduce_in_rounds(range(20), lambda a, b: a + b))            # 190
print(reduce_in_rounds([1, 4, 8, 3, 2, 5], lambda a, b: a - b))   # -5, not 1-4-8-3-2-5 = -21

# The book's queue version drops a partial sum now and then:
#     s = a + b
#     tasks.task_done()   # join() in the main thread may return here...
#     results.put(s)      # ...before this sum is in the queue
# Put the result first, then call task_done().
