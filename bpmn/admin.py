"""The admin: engine tables for reading only; reference data edited with every change audited."""

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.db import router, transaction

from bpmn import audit, models


class ViewOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here, by a superuser neither.

    The engine's rows change only through the engine (bpmn/engine.py), in step with the
    workflow's state and with an audit row; an edit here would move a task into another
    organization's inbox, or an instance's state, with no trace.
    """

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete made here appends an AdminChange row: who, what, from what to what."""

    def save_model(self, request, obj, form, change):
        current = type(obj)._base_manager.filter(pk=obj.pk).first() if change else None
        form.audit_before = audit.snapshot(current) if current is not None else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # After the many-to-many fields are saved, so the row holds them too.
        super().save_related(request, form, formsets, change)
        action = models.AdminChange.Action.CHANGED if change else models.AdminChange.Action.ADDED
        audit.record_admin_change(
            request.user, form.instance, action, getattr(form, "audit_before", {}), audit.snapshot(form.instance)
        )

    def delete_model(self, request, obj):
        with transaction.atomic(using=router.db_for_write(type(obj))):
            doomed = _doomed([obj])
            super().delete_model(request, obj)
            _record_deleted(request.user, doomed)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            doomed = _doomed(list(queryset))
            super().delete_queryset(request, queryset)
            _record_deleted(request.user, doomed)


def _doomed(objs: list) -> list[tuple]:
    """Return every object deleting `objs` deletes (cascades included), each with its fields."""
    if not objs:
        return []
    collector = NestedObjects(using=router.db_for_write(type(objs[0])))  # collects every cascade
    collector.collect(objs)
    found = {}
    for model, instances in collector.data.items():
        for obj in instances:
            found.setdefault((model._meta.label_lower, obj.pk), (obj, audit.snapshot(obj)))
    return list(found.values())


def _record_deleted(actor, doomed: list[tuple]) -> None:
    for obj, before in doomed:
        audit.record_admin_change(actor, obj, models.AdminChange.Action.DELETED, before, {})


@admin.register(models.ProcessDefinition)
class ProcessDefinitionAdmin(ViewOnlyAdmin):
    list_display = ["process_id", "version", "content_hash", "deployed_at"]


@admin.register(models.ProcessInstance)
class ProcessInstanceAdmin(ViewOnlyAdmin):
    list_display = ["pk", "definition", "business_key", "status", "revision", "updated_at"]
    list_select_related = ["definition"]
    list_filter = ["status"]
    search_fields = ["business_key"]


@admin.register(models.OpenTask)
class OpenTaskAdmin(ViewOnlyAdmin):
    list_display = ["label", "role", "organization_id", "due_at", "claimed_by"]
    list_select_related = ["claimed_by"]
    list_filter = ["role", "process_id"]


@admin.register(models.Timer)
class TimerAdmin(ViewOnlyAdmin):
    list_display = ["task_name", "instance", "due_at"]
    list_select_related = ["instance__definition"]


@admin.register(models.MessageSubscription)
class MessageSubscriptionAdmin(ViewOnlyAdmin):
    list_display = ["message_name", "correlation_key", "instance"]
    list_select_related = ["instance__definition"]
    list_filter = ["message_name"]


@admin.register(models.PendingMessage)
class PendingMessageAdmin(ViewOnlyAdmin):
    list_display = ["message_name", "correlation_key", "received_at", "delivered_at"]
    list_filter = ["message_name"]


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ViewOnlyAdmin):
    list_display = ["at", "instance", "seq", "action", "task_name", "actor"]
    list_select_related = ["instance__definition", "actor"]
    list_filter = ["action"]


@admin.register(models.AdminChange)
class AdminChangeAdmin(ViewOnlyAdmin):
    list_display = ["at", "seq", "actor", "action", "model", "object_id", "object_repr"]
    list_select_related = ["actor"]
    list_filter = ["action", "model"]


@admin.register(models.AuditChain)
class AuditChainAdmin(ViewOnlyAdmin):
    list_display = ["key", "length", "head_id", "head_hash"]
