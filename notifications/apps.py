from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "通知 Notifications"

    def ready(self):
        from bpmn.signals import instance_advanced, timers_checked
        from notifications import delivery, events, reminders
        from workflows.events import happened

        def advanced(sender, instance, opened, **kwargs):
            if opened:
                events.on_tasks_opened(instance, opened)

        happened.connect(events.on_event, dispatch_uid="notifications.events", weak=False)
        instance_advanced.connect(advanced, dispatch_uid="notifications.advanced", weak=False)
        timers_checked.connect(lambda sender, now, **kw: reminders.send_reminders(now),
                               dispatch_uid="notifications.reminders", weak=False)
        # Each pass of the scheduler also retries the deliveries left pending (bounded attempts).
        timers_checked.connect(lambda sender, now, **kw: delivery.send_pending(),
                               dispatch_uid="notifications.retry", weak=False)
