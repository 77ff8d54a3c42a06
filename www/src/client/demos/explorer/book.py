# The book's idea (chapter 19), written for this playground: a brute-force scheduler. Each
# thread is a list of steps; the explorer tries every order of them and counts what happens.
from collections import Counter

def increment(name):
    # counter += 1, cut into the three steps a thread switch can fall between
    def read(shared, local): local["tmp"] = shared["counter"]
    def add(shared, local): local["tmp"] += 1
    def write(shared, local): shared["counter"] = local["tmp"]
    return [read, add, write]

threads = {"A": increment("A"), "B": increment("B")}

def explore(shared, locals_, pcs, finals):
    runnable = [t for t in threads if pcs[t] < len(threads[t])]
    if not runnable:                      # every thread has finished: one interleaving
        finals[shared["counter"]] += 1
        return
    for t in runnable:                    # try each thread as the next to step
        s, l = dict(shared), {k: dict(v) for k, v in locals_.items()}
        threads[t][pcs[t]](s, l[t])
        explore(s, l, {**pcs, t: pcs[t] + 1}, finals)

finals = Counter()
explore({"counter": 0}, {t: {"tmp": 0} for t in threads}, {t: 0 for t in threads}, finals)
print(dict(finals))   # {2: 2, 1: 18}: 20 interleavings = C(6, 3); only 2 keep both updates
# This tries all 20 orders one by one. With 3 threads it is 1,680, with 8 threads 3.7 * 10^17:
# the Rust explorer instead caches states and adds up the ways into each.

# The fuzzer beside it (also written for this playground, not the book's): one random
# schedule. Naive picks any runnable thread; that makes a run where A finishes first
# (then B is forced) likelier than one that alternates. Uniform weighs each choice by the
# interleavings below it, paths(state), which the explorer has counted.
import random

def one_schedule(start, runnable, step, paths=None, seed=1):
    rng, state, trace = random.Random(seed), start, []
    while runnable(state):
        choices = runnable(state)
        if paths is None:                                   # naive
            t = rng.choice(choices)
        else:                                               # uniform over interleavings
            weights = [paths(step(state, t)) for t in choices]
            t = rng.choices(choices, weights=weights)[0]
        state = step(state, t)
        trace.append(t)
    return state, trace
