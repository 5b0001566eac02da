"""A change made outside the engine is audited in its lifecycle, or not made at all."""
import pytest

from bpmn.models import AuditEntry, ProcessInstance
from tests.workflows.walk import user
from workflows import services

pytestmark = pytest.mark.django_db


def test_a_revocation_with_no_lifecycle_to_audit_it_in_is_refused_naming_the_key(certificates):
    mine = certificates[0]
    negotiation = mine.sitting.agreement.negotiation
    key = services.lifecycle_key(negotiation)
    ProcessInstance.objects.filter(business_key=key).update(business_key=f"{key}-lost")
    with pytest.raises(services.LifecycleMissing, match=key):
        services.revoke_certificate(user("teo_1"), mine.pk, "考核舞弊")
    mine.refresh_from_db()
    assert mine.revoked_at is None and not AuditEntry.objects.filter(action="certificate_revoked").exists()
