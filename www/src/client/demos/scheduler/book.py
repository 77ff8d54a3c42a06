# The book's chapter 19 examples (PacktPublishing/Mastering-Concurrency-in-Python,
# Chapter19/example1-7.py, MIT), shortened: the Rust beside it is this page's own scheduler,
# written to APScheduler 3.x's rules.
from datetime import datetime
import os, time, unittest

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from concurrencytest import ConcurrentTestSuite, fork_for_tests

def tick():
    print(f'Tick! The time is: {datetime.now()}')

# example1.py: a blocking scheduler. start() never returns, so the print after it never runs.
scheduler = BlockingScheduler()
scheduler.add_job(tick, 'interval', seconds=3)
scheduler.start()
print('Printing in the main thread.')

# example2.py: a background scheduler. start() returns; main goes on printing every 2 s.
scheduler = BackgroundScheduler()
scheduler.add_job(tick, 'interval', seconds=3)
scheduler.start()
while True:
    time.sleep(2)
    print('Printing in the main thread.')

# example3.py: a 4 s job every 3 s on a process pool, up to 3 instances at once.
def task():
    print(f'Starting job inside {os.getpid()}')
    time.sleep(4)
    print(f'Ending job inside {os.getpid()}')

scheduler = BackgroundScheduler()
scheduler.add_executor('processpool')
scheduler.add_job(task, 'interval', seconds=3, max_instances=3)
scheduler.start()

# example4.py: a cron job, Monday to Friday at 17:00.
@scheduler.scheduled_job('cron', day_of_week='mon-fri', hour=17)
def scheduled_job():
    print('This job is run every weekday at 5pm.')

# example5-7.py: unit tests of fib, run concurrently on 4 forked processes.
def fib(i):
    if i in [0, 1]:
        return i
    a, b = 0, 1
    n = 1
    while n < i:
        a, b = b, a + b
        n += 1
    return b

class FibTest(unittest.TestCase):
    def __init__(self, *args, **kwargs):
        super(FibTest, self).__init__(*args, **kwargs)
        self.mod = 10 ** 10

    def test_start_values(self):
        self.assertEqual(fib(0), 0)
        self.assertEqual(fib(1), 1)

    def test_other_values(self):          # example5.py
        self.assertEqual(fib(10), 55)

    def test_big_value_v1(self):
        self.assertEqual(fib(499990) % self.mod, 9998843695)

    def test_big_value_v2(self):
        self.assertEqual(fib(499995) % self.mod, 1798328130)

    def test_big_value_v3(self):
        self.assertEqual(fib(500000) % self.mod, 9780453125)

suite = unittest.TestLoader().loadTestsFromTestCase(FibTest)
unittest.TextTestRunner().run(ConcurrentTestSuite(suite, fork_for_tests(4)))
