"""Run calls at the same moment, each in a thread with its own database connection."""
import threading

from django.db import connections


def at_once(*calls, timeout: float = 30) -> None:
    """Start every call together (a barrier), close each thread's connections, wait for all."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)


def held_for_each_other(function, parties: int = 2, timeout: float = 1):
    """Wrap `function` so each call waits for the other callers (or `timeout` seconds) before it runs."""
    meet = threading.Barrier(parties, timeout=timeout)

    def held(*args):
        try:
            meet.wait()
        except threading.BrokenBarrierError:
            pass
        return function(*args)

    return held
