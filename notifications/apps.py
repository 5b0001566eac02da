from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "通知 Notifications"

    def ready(self):
        from django.db.models.signals import post_save

        from bpmn.models import AuditEntry
        from bpmn.signals import instance_advanced, timers_checked
        from notifications import events, reminders

        def audited(sender, instance, created, **kwargs):
            if created:
                events.on_audit(instance)

        def advanced(sender, instance, opened, **kwargs):
            if opened:
                events.on_tasks_opened(instance, opened)

        post_save.connect(audited, sender=AuditEntry, dispatch_uid="notifications.audited", weak=False)
        instance_advanced.connect(advanced, dispatch_uid="notifications.advanced", weak=False)
        timers_checked.connect(lambda sender, now, **kw: reminders.send_reminders(now),
                               dispatch_uid="notifications.reminders", weak=False)
