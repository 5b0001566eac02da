"""Signals the engine sends inside the transaction of a change; listeners write rows, not sockets."""
from django.dispatch import Signal

# kwargs: instance, opened (list of OpenTask), closed (list of task names), completed (bool)
instance_advanced = Signal()
# A timer of the instance fired and the workflow moved past it; kwargs: instance, now.
timer_fired = Signal()
# Sent by the scheduler (run_timers) after each pass; kwargs: now. Reminders hang on it.
timers_checked = Signal()
