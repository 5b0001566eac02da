"""A model's names are English in the files and shown in the reader's language."""
import importlib

import pytest
from django.utils import translation

from bpmn import names, parser

pytestmark = pytest.mark.django_db

english_half = importlib.import_module("bpmn.migrations.0004_english_task_labels").english_half


def _formation_xml() -> str:
    return parser.read_model_files()["alliance_formation.bpmn"]


def test_the_diagram_is_drawn_in_the_active_language_with_lanes_named_for_people():
    xml = _formation_xml()
    chinese = names.translated_xml(xml, {"alliance_lead": "联盟牵头院校", "college": "试点院校"}.get)
    assert 'name="邀请成员院校"' in chinese and 'name="联盟牵头院校"' in chinese
    assert 'name="Invite member colleges"' not in chinese and 'name="alliance_lead"' not in chinese
    assert 'id="invite_members"' in chinese and "bpmndi:BPMNShape" in chinese  # ids and layout kept
    assert 'name="invited_college_id"' in chinese  # data and wiring keep their names
    with translation.override("en"):
        assert 'name="Invite member colleges"' in names.translated_xml(xml)


def test_an_element_and_a_process_are_named_in_the_active_language(deployed):
    definition = next(d for d in deployed if d.process_id == "certificate_lifecycle")
    assert names.element_name(definition, "not_formed_end") == "联盟未组建"
    assert names.element_name(definition, "certificate_lifecycle") == "证书费用协商全流程"
    assert names.element_name(definition, "no_such_element") == "no_such_element"
    assert names.process_name("fee_negotiation") == "协商、谈判"
    with translation.override("en"):
        assert names.process_name("fee_negotiation") == "Fee negotiation"
        assert names.shown("Invite member colleges") == "Invite member colleges"


def test_a_label_stored_in_two_languages_keeps_its_english_half():
    assert english_half("邀请成员院校 Invite member colleges") == "Invite member colleges"
    assert english_half("开始（公示报价在桌上） Start: published schedule on the table") == (
        "Start: published schedule on the table")
    assert english_half("Invite member colleges") == "Invite member colleges"
    assert english_half("仅中文") == "仅中文"


def test_a_two_language_name_of_an_older_deployment_shows_one_language():
    # A task created by an instance still running on a version deployed before names were English.
    assert names.shown("邀请成员院校 Invite member colleges") == "邀请成员院校"
    assert names.shown("本轮截止（旧） Round deadline, old wording") == "本轮截止（旧）"
    with translation.override("en"):
        assert names.shown("邀请成员院校 Invite member colleges") == "Invite member colleges"
        assert names.shown("本轮截止（旧） Round deadline, old wording") == "Round deadline, old wording"
    assert names.shown("Invite member colleges") == "邀请成员院校"
