"""Hardened XML reading for process and decision files."""
from lxml import etree

from bpmn.errors import ModelValidationError

MAX_MODEL_BYTES = 2_000_000

# No entity expansion, no DTD loading, no network, no huge trees: a model file is data
# from a modeller's desktop and must never read a local file or blow up memory.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
)


def parse_model_xml(text: str | bytes, filename: str) -> etree._Element:
    """Parse one model file, refusing DOCTYPEs, entities and oversized input."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_MODEL_BYTES:
        raise ModelValidationError(
            f"模型文件过大 / model file too large: {filename} has {len(raw)} bytes, "
            f"the limit is {MAX_MODEL_BYTES}"
        )
    try:
        root = etree.fromstring(raw, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ModelValidationError(
            f"模型文件不是合法的 XML / model file is not well-formed XML: {filename}: {exc}"
        ) from None
    _refuse_doctype(root, filename)
    return root


def _refuse_doctype(root: etree._Element, filename: str) -> None:
    # BPMN and DMN never need a DTD; any DOCTYPE is an entity attack or a mistake.
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ModelValidationError(
            f"模型文件不得包含 DOCTYPE 或实体声明 / model file must not declare a DOCTYPE or "
            f"entities: {filename}"
        )
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise ModelValidationError(
                f"模型文件不得引用实体 / model file must not reference entities: {filename}"
            )
