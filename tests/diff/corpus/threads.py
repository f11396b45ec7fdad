"""Threads with deterministic results: per-thread slots, Lock-protected counter, join, Barrier, Event."""

import threading
from concurrent.futures import ThreadPoolExecutor

N_THREADS = 4
slots = [0] * N_THREADS


def sum_into_slot(idx, n):
    total = 0
    for i in range(n):
        total += i * (idx + 1)
    slots[idx] = total


threads = [threading.Thread(target=sum_into_slot, args=(i, 20000)) for i in range(N_THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("slots", slots)

lock = threading.Lock()
counter = {"value": 0}


def bump(n):
    for _ in range(n):
        with lock:
            counter["value"] += 1


threads = [threading.Thread(target=bump, args=(5000,)) for _ in range(N_THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("locked counter", counter["value"])

results = {}
rlock = threading.RLock()


def reentrant(name, depth):
    with rlock:
        if depth == 0:
            results[name] = results.get(name, 0) + 1
            return
        with rlock:
            reentrant(name, depth - 1)


threads = [threading.Thread(target=reentrant, args=(f"t{i}", i + 2)) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("rlock", sorted(results.items()))

barrier = threading.Barrier(3)
phase_log = [[] for _ in range(3)]


def phased(idx):
    for phase in range(3):
        phase_log[idx].append(phase * 10 + idx)
        barrier.wait()


threads = [threading.Thread(target=phased, args=(i,)) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("barrier", phase_log)

ev = threading.Event()
got = []


def waiter():
    ev.wait()
    got.append("woke")


t = threading.Thread(target=waiter)
t.start()
got.append("before set")
ev.set()
t.join()
print("event", got)


def square_sum(k):
    return k, sum(i * i for i in range(k * 1000))


with ThreadPoolExecutor(max_workers=3) as ex:
    for k, v in ex.map(square_sum, range(6)):
        print("pool", k, v)

tls = threading.local()


def use_tls(idx, out):
    tls.value = idx * 7
    acc = 0
    for _ in range(1000):
        acc += tls.value
    out[idx] = acc


out = [None] * 4
threads = [threading.Thread(target=use_tls, args=(i, out)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("tls", out, hasattr(tls, "value"))

errors = []


def failing():
    try:
        raise ValueError("in thread")
    except ValueError as e:
        errors.append(repr(e))


t = threading.Thread(target=failing, name="failer")
t.start()
t.join()
print("errors", errors, t.name, t.is_alive())

cond = threading.Condition()
items = []


def produce():
    for i in range(5):
        with cond:
            items.append(i)
            cond.notify()


def consume(out):
    taken = 0
    while taken < 5:
        with cond:
            while not items:
                cond.wait()
            out.append(items.pop(0))
            taken += 1


consumed = []
tc = threading.Thread(target=consume, args=(consumed,))
tc.start()
tp = threading.Thread(target=produce)
tp.start()
tp.join()
tc.join()
print("condition", consumed)
print("active", threading.active_count())
