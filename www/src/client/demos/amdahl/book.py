# The book's idea (chapter 2), written for this playground: Amdahl's law and the question
# it answers. B is the serial fraction of the work, j the number of processors.

def speedup(B, j):
    return 1 / (B + (1 - B) / j)

print(f"{speedup(0.6, 4):.2f}")  # 40 % parallel on 4 processors: 1.43
print(f"{speedup(0.2, 2):.2f}")  # 80 % parallel on 2 processors: 1.67, the better buy

# However many processors are added, the speedup stays below 1 / B.
for j in (1, 2, 4, 8, 16, 1024):
    print(j, round(speedup(0.6, j), 3), "ceiling", round(1 / 0.6, 3))

def karp_flatt(measured_speedup, j):
    """The serial fraction that a measured speedup on j processors implies."""
    return (1 / measured_speedup - 1 / j) / (1 - 1 / j)
