from django.contrib import admin

from workflows import models


@admin.register(models.Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(models.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["name"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization"]
    list_filter = ["role"]


@admin.register(models.Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "teo", "assessment_mode"]
    list_filter = ["assessment_mode"]


@admin.register(models.CostItem)
class CostItemAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "name_zh", "name_en", "active"]
    list_editable = ["active"]


@admin.register(models.FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = ["certificate", "fee", "state", "published_at"]
    readonly_fields = ["state"]
