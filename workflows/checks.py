"""Start-up checks of the models against the domain: every lane is a known lane, every mode has a cap, no
setting turns a participation filing into an approval, and the attachments have a storage that loads."""
import re

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string
from lxml import etree

from bpmn import names, parser
from bpmn.errors import ModelValidationError
from bpmn.xml import parse_model_xml
from workflows.participation import threshold_fields, threshold_settings
from workflows.roles import AssessmentMode, Lane

DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
QUOTED = re.compile(r'"([^"]*)"')


def unknown_lanes(sources: dict[str, str]) -> list[tuple[str, str]]:
    """Return (file, lane) of every lane of a model that names no lane of the domain."""
    return sorted((file, lane) for file, xml in sources.items() if file.endswith(".bpmn")
                  for lane in names.lanes_in(xml, file) - set(Lane.values))


def modes_with_a_cap(sources: dict[str, str]) -> set[str]:
    """Return every assessment mode a rule of the decision tables answers for."""
    found: set[str] = set()
    for file, xml in sources.items():
        if file.endswith(".dmn"):
            for entry in parse_model_xml(xml, file).iter(f"{{{DMN}}}inputEntry"):
                found.update(QUOTED.findall(etree.tostring(entry, method="text", encoding="unicode")))
    return found


@register(Tags.compatibility)
def check_models_speak_of_the_domain(app_configs, **kwargs):
    try:
        sources = parser.read_model_files()
        lanes, capped = unknown_lanes(sources), modes_with_a_cap(sources)
    except ModelValidationError:
        return []  # reported by bpmn.E002
    errors = [Error(f"{file}: lane {lane!r} is no lane of workflows.roles.Lane", id="workflows.E001")
              for file, lane in lanes]
    errors += [Error(f"assessment mode {mode!r} has no cap in the decision table", id="workflows.E002")
               for mode in AssessmentMode.values if mode not in capped]
    return errors


@register(Tags.compatibility)
def check_participation_is_filed_not_approved(app_configs, **kwargs):
    """备案不是审批, 各省厅不得对申报试点工作设置门槛: no setting may put a threshold on taking part."""
    return [Error(f"{name} would set a threshold on a college's participation; a participation is "
                  "filed, not approved (备案不是审批), and provinces may set no threshold "
                  "(各省厅不得对申报试点工作设置门槛)", id="workflows.E003")
            for name in threshold_settings(dir(settings)) + threshold_fields()]


@register(Tags.compatibility)
def check_attachment_storage(app_configs, **kwargs):
    """Attachments are kept through STORAGES["attachments"]: its backend must import (the S3 one needs the s3 extra)."""
    backend = settings.STORAGES.get("attachments", {}).get("BACKEND", "")
    if not backend:
        return [Error('STORAGES has no "attachments" storage: the attachments would be kept nowhere',
                      id="workflows.E004")]
    try:
        import_string(backend)
    except ImportError as error:
        return [Error(f"the attachments storage {backend} does not import ({error}); for an S3-compatible store "
                      "install the s3 extra: pip install '.[s3]' (django-storages with boto3)", id="workflows.E004")]
    return []
