"""The admin shows the engine's tables and never changes them; every change of reference data there is audited."""

import uuid
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from bpmn import chain, engine
from bpmn import models as engine_models
from bpmn.admin import AuditedAdmin, ViewOnlyAdmin
from bpmn.models import AdminChange, OpenTask, ProcessInstance
from notifications.models import Preference
from tests.bpmn.test_audit_chain import behind_the_back
from tests.bpmn.test_audit_chain import verify_audit as verify_or_refuse
from workflows.models import CostItem, Organization, Person, Province

pytestmark = pytest.mark.django_db

ENGINE_MODELS = [
    engine_models.ProcessDefinition,
    engine_models.ProcessInstance,
    engine_models.OpenTask,
    engine_models.Timer,
    engine_models.MessageSubscription,
    engine_models.PendingMessage,
    engine_models.AuditEntry,
    engine_models.AdminChange,
    engine_models.AuditChain,
]


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x")


@pytest.fixture
def staff(client, superuser):
    client.force_login(superuser)
    return client


def url(model, action: str, pk=None) -> str:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return {"add": f"{base}add/", "change": f"{base}{pk}/change/", "delete": f"{base}{pk}/delete/"}[action]


def verify_audit() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)  # raises CommandError when a chain is broken
    return out.getvalue()


def rows_of_every_engine_table(walk) -> None:
    """At least one row in each engine table, as a running lifecycle has them."""
    instance = walk.instance
    if not engine_models.Timer.objects.exists():
        engine_models.Timer.objects.create(
            instance=instance, task_id=uuid.uuid4(), task_name="t", due_at=timezone.now()
        )
    if not engine_models.MessageSubscription.objects.exists():
        engine_models.MessageSubscription.objects.create(
            instance=instance, task_id=uuid.uuid4(), message_name="m", correlation_key="{}"
        )
    engine.correlate_message("nobody_waits", payload={}, correlation={"k": 1})  # kept as a PendingMessage
    AdminChange.objects.create(
        action="changed", model="workflows.province", object_id="1", object_repr="x", changes={"name": ["a", "b"]}
    )


def table_contents() -> dict:
    return {model: list(model.objects.order_by("pk").values()) for model in ENGINE_MODELS}


def test_the_engine_tables_refuse_every_add_change_and_delete_even_to_a_superuser(staff, hubei):
    hubei.form()
    rows_of_every_engine_table(hubei)
    before = table_contents()
    other = Organization.objects.exclude(pk=hubei.task("screen_services").organization_id).first()
    attempts = refused = 0
    for model in ENGINE_MODELS:
        row = model.objects.first()
        fields = {k: v for k, v in model_to_dict(row).items() if v is not None}
        changed = {**fields, "organization_id": other.pk, "status": "completed", "revision": 0, "action": "x"}
        for action, data in (("add", fields), ("change", changed), ("delete", {"post": "yes"})):
            response = staff.post(url(model, action, row.pk), data)
            attempts += 1
            refused += response.status_code == 403
        assert staff.get(url(model, "change", row.pk)).status_code == 200  # shown, read only
    assert (attempts, refused) == (27, 27)
    assert table_contents() == before
    assert OpenTask.objects.get(task_name="screen_services").organization_id != other.pk


def test_every_admin_of_the_products_models_is_view_only_or_audited(superuser, rf):
    request = rf.get("/admin/")
    request.user = superuser
    ours = {
        m: a
        for m, a in admin.site._registry.items()
        if m._meta.app_label in {"bpmn", "workflows", "notifications", "portal", "api", "webapp", "auth", "knox",
                                 "axes"}
    }
    assert engine_models.OpenTask in ours and Province in ours
    for model, model_admin in ours.items():
        if isinstance(model_admin, ViewOnlyAdmin) or model in ENGINE_MODELS:
            assert isinstance(model_admin, ViewOnlyAdmin), model
            continue
        writes = [
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        ]
        assert not any(writes) or isinstance(model_admin, AuditedAdmin), model


def test_a_province_changed_in_the_admin_is_audited_from_what_to_what(staff, superuser, world):
    hubei = Province.objects.get(code="42")
    data = {**model_to_dict(hubei), "name": "湖北"}
    response = staff.post(url(Province, "change", hubei.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    change = AdminChange.objects.get()
    assert (change.actor, change.action, change.model, change.object_id) == (
        superuser,
        "changed",
        "workflows.province",
        str(hubei.pk),
    )
    assert change.changes == {"name": ["湖北省", "湖北"]}
    assert "audit trail intact: 1 chain(s), 1 row(s)" in verify_audit()


def test_an_organization_moved_to_another_province_is_audited_and_verifies(staff, world):
    college = Person.objects.get(user__username="college_42_1").organization
    jiangsu = Province.objects.get(code="32")
    response = staff.post(url(Organization, "change", college.pk), {**model_to_dict(college), "province": jiangsu.pk})
    assert response.status_code == 302
    assert AdminChange.objects.get().changes == {"province": [college.province_id, jiangsu.pk]}
    verify_audit()


def test_a_person_given_another_role_and_organization_is_audited(staff, world):
    person = Person.objects.get(user__username="college_42_2")
    teo = Organization.objects.filter(kind="teo").first()
    response = staff.post(
        url(Person, "change", person.pk), {**model_to_dict(person), "organization": teo.pk, "role": "teo"}
    )
    assert response.status_code == 302
    assert AdminChange.objects.get().changes == {
        "organization": [person.organization_id, teo.pk],
        "role": [person.role, "teo"],
    }


def test_an_object_added_and_deleted_in_the_admin_leaves_both_rows(staff, world):
    response = staff.post(
        url(CostItem, "add"), {"code": "audit_x", "name_zh": "审计", "name_en": "Audit", "position": 99, "active": "on"}
    )
    assert response.status_code == 302
    item = CostItem.objects.get(code="audit_x")
    assert staff.post(url(CostItem, "delete", item.pk), {"post": "yes"}).status_code == 302
    added, deleted = AdminChange.objects.order_by("seq")
    assert (added.action, added.changes["code"], added.changes["active"]) == ("added", [None, "audit_x"], [None, True])
    assert (deleted.action, deleted.object_id, deleted.changes["name_zh"]) == ("deleted", str(item.pk), ["审计", None])
    assert (added.seq, deleted.seq, deleted.prev_id, deleted.prev_hash) == (1, 2, added.pk, added.hash)
    assert "1 chain(s), 2 row(s)" in verify_audit()


def test_a_change_in_the_list_and_a_bulk_delete_are_audited_row_by_row(staff, world):
    item = CostItem.objects.order_by("position").first()
    response = staff.post(
        "/admin/workflows/costitem/",
        {"form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-0-id": item.pk, "_save": "Save"},
    )  # 'active' unticked
    assert response.status_code == 302
    assert AdminChange.objects.get().changes == {"active": [True, False]}
    users = Person.objects.filter(organization__province__code="42").values_list("user", flat=True)[:2]
    preferences = [Preference.objects.get_or_create(user_id=u)[0] for u in users]
    response = staff.post(
        "/admin/notifications/preference/",
        {"action": "delete_selected", "_selected_action": [p.pk for p in preferences], "post": "yes"},
    )
    assert response.status_code == 302 and not Preference.objects.filter(pk__in=[p.pk for p in preferences]).exists()
    deleted = AdminChange.objects.filter(action="deleted", model="notifications.preference")
    assert sorted(int(c.object_id) for c in deleted) == sorted(p.pk for p in preferences)
    assert "1 chain(s), 3 row(s)" in verify_audit()


def test_a_save_that_changes_nothing_writes_no_row(staff, world):
    hubei = Province.objects.get(code="42")
    assert staff.post(url(Province, "change", hubei.pk), model_to_dict(hubei)).status_code == 302
    assert not AdminChange.objects.exists()


def test_an_admin_change_edited_by_sql_is_named(staff, world):
    hubei = Province.objects.get(code="42")
    staff.post(url(Province, "change", hubei.pk), {**model_to_dict(hubei), "name": "湖北"})
    change = AdminChange.objects.get()
    behind_the_back("UPDATE bpmn_adminchange SET changes = ? WHERE id = ?", ['{"name": ["湖北省", "鄂"]}', change.pk])
    status, out = verify_or_refuse()
    assert status == 1 and f"{chain.ADMIN_CHAIN}: row {change.pk} (entry 1): content does not match" in out


def test_an_instance_cannot_be_deleted_while_its_audit_rows_stand(hubei):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        ProcessInstance.objects.filter(pk=hubei.instance.pk).delete()
