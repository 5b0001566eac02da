from django.contrib import admin

from bpmn import models


@admin.register(models.ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    list_display = ["process_id", "version", "content_hash", "deployed_at"]
    readonly_fields = ["process_id", "version", "content_hash", "sources", "deployed_at"]


@admin.register(models.ProcessInstance)
class ProcessInstanceAdmin(admin.ModelAdmin):
    list_display = ["pk", "definition", "business_key", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["business_key"]


@admin.register(models.OpenTask)
class OpenTaskAdmin(admin.ModelAdmin):
    list_display = ["label", "role", "organization_id", "due_at", "claimed_by"]
    list_filter = ["role", "process_id"]
