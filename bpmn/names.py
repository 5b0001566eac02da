"""The names drawn in the process models, shown in the reader's language.

A model's names are English, one language: each is a msgid of the catalogue's context "process",
whose Chinese is in the catalogue, and is translated where it is shown (a task's label, a
process's name, an end state, the diagram). A lane's name is a role id, not a text: whoever
shows a lane names it (the domain's lane labels).
"""
import re
from collections.abc import Callable

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import pgettext
from lxml import etree

from bpmn import caches
from bpmn.models import ProcessDefinition
from bpmn.xml import parse_model_xml

CONTEXT = "process"

# Named elements that are data or wiring, not words for people: their names stay as written.
TECHNICAL = frozenset({
    "message", "correlationProperty", "correlationKey", "dataObject", "dataObjectReference", "dataInput",
    "dataOutput", "inputDataItem", "outputDataItem", "property", "signal", "error", "escalation",
    "itemDefinition", "dataStore", "dataStoreReference",
})


# Models deployed before names were one language called tasks "中文 English"; instances still running
# on such a version keep creating tasks with those labels.
LEGACY = re.compile(r"^(?P<chinese>.*[\u4e00-\u9fff\uff01-\uff5e\u3001-\u3011])\s+(?P<english>[A-Za-z].*)$")


def shown(name: str) -> str:
    """Return a model's name in the active language; of an old two-language name, the active language's half."""
    if not name:
        return ""
    legacy = LEGACY.match(name)
    if legacy is None:
        return pgettext(CONTEXT, name)
    translated = pgettext(CONTEXT, legacy["english"])
    if translated != legacy["english"] or (translation.get_language() or "").startswith("en"):
        return translated
    return legacy["chinese"]


shown_lazy = lazy(shown, str)


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _named(root) -> list:
    return [el for el in root.iter() if el.get("name") and _local(el) not in TECHNICAL]


def names_in(xml: str, filename: str = "model") -> dict[str, str]:
    """Return element id -> name of every element a person reads in one model file (lanes included)."""
    return {el.get("id"): el.get("name") for el in _named(parse_model_xml(xml, filename)) if el.get("id")}


def texts_in(xml: str, filename: str = "model") -> set[str]:
    """Return every name a person reads in one model file, lanes left out (their names are role ids)."""
    return {el.get("name") for el in _named(parse_model_xml(xml, filename)) if _local(el) != "lane"}


def lanes_in(xml: str, filename: str = "model") -> set[str]:
    return {el.get("name") for el in parse_model_xml(xml, filename).iter() if _local(el) == "lane"}


def translated_xml(xml: str, lane_label: Callable[[str], str] = str, filename: str = "model") -> str:
    """Return the model file with every name in the active language, lanes named by `lane_label`."""
    root = parse_model_xml(xml, filename)
    for element in _named(root):
        name = element.get("name")
        element.set("name", str(lane_label(name)) if _local(element) == "lane" else shown(name))
    return etree.tostring(root, encoding="unicode")


_NAMES: dict[str, dict[str, str]] = {}  # content hash -> element id -> name, over every .bpmn file


def _names_of(definition: ProcessDefinition) -> dict[str, str]:
    if definition.content_hash not in _NAMES:
        found: dict[str, str] = {}
        for filename, xml in sorted(definition.sources.items()):
            if filename.endswith(".bpmn"):
                found.update(names_in(xml, filename))
        _NAMES[definition.content_hash] = found
    return _NAMES[definition.content_hash]


def element_name(definition: ProcessDefinition, element_id: str) -> str:
    """Return an element's name (an end event's, a process's) in the active language; its id if unnamed."""
    name = _names_of(definition).get(element_id)
    return shown(name) if name else element_id


_LATEST: dict[str, ProcessDefinition] = {}  # process id -> its latest deployment, as first read here


def _latest_names(process_id: str) -> dict[str, str]:
    if process_id not in _LATEST:
        # Every definition holds every model file, so the latest of any process names a called one too.
        rows = ProcessDefinition.objects.order_by("-deployed_at", "-version")
        latest = rows.filter(process_id=process_id).first() or rows.first()
        if latest is None:
            return {}
        _LATEST[process_id] = latest
    return _names_of(_LATEST[process_id])


def process_name(process_id: str) -> str:
    """Return a process's name in the active language, as its latest deployment read here names it."""
    name = _latest_names(process_id).get(process_id)
    return shown(name) if name else process_id


@caches.register
def clear() -> None:
    _NAMES.clear()
    _LATEST.clear()
