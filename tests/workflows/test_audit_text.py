"""The audit trail reads as sentences in the reader's language, with names and formatted amounts."""
import re

import pytest
from django.utils import translation
from lxml import etree

from bpmn import parser
from bpmn.models import AuditEntry
from workflows import audit_text
from workflows.models import Organization, Person

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

# What each user task's form submits, one sample per outcome.
SAMPLES = {
    "invite_members": [{"college_ids": ["COLLEGE_B", "COLLEGE_C"]}],
    "respond_invitation": [{"decision": "accept"}, {"decision": "decline"}],
    "screen_services": [{"training_content": "师资培训 5 天", "services": ["考核"]}],
    "alliance_responds": [{"decision": "counter", "fee": "1234.5"}, {"decision": "accept"}, {"decision": "reject"}],
    "teo_responds": [{"decision": "counter", "fee": "150.00"}, {"decision": "accept"}],
    "mediate": [{"decision": "agreed", "fee": "160.00"}, {"decision": "failed"}],
    "verify_baseline": [{"decision": "verify"}, {"decision": "return", "reasons": "超出成本"},
                        {"decision": "reject", "reasons": "超上限"},
                        {"decision": "consult", "expert": "EXPERT", "question": "考评员劳务是否合理"}],
    "verify_baseline_finance": [{"decision": "verify", "reasons": "资金合规"},
                                {"decision": "return", "reasons": "来源不明"},
                                {"decision": "reject", "reasons": "挪用专项资金"},
                                {"decision": "consult", "expert": "EXPERT", "question": "资金来源是否合规"}],
    "expert_opinion": [{"opinion": "测算合理"}],
    "expert_opinion_finance": [{"opinion": "资金合规"}],
    "sign_alliance": [{}],
    "sign_teo": [{}],
    "acknowledge_filing": [{"flagged": False}, {"flagged": True, "note": "重点监督"}],
    "record_supervision": [{"supervision_note": "已核查"}],
    "release_payment": [{"funding": [{"source": "fiscal", "amount": "1000.00", "purpose": "assessment_fee"},
                                     {"source": "special", "amount": "234.50", "purpose": "teacher_training"}]}],
    "report_progress": [{"training_sessions": 2, "sittings": "3", "assessed": 120, "certified": 100, "note": "顺利"}],
    "decide_yellow_card": [{"decision": "show", "reasons": "未启动师资培训"},
                           {"decision": "decline", "reasons": "已补报"}],
    "decide_delisting": [{"decision": "delist", "reasons": "仍未跟进"}, {"decision": "decline", "reasons": "已跟进"}],
    "investigate_complaint": [{"decision": "accept"}, {"decision": "dismiss", "findings": "所附证据与该机构无关"}],
    "answer_complaint": [{"statement": "设备为自愿选购"}],
    "decide_complaint": [{"decision": "measure", "measure": "talk", "findings": "查明属实", "reasons": "约谈负责人"},
                         {"decision": "dismiss", "findings": "证据不足"}],
}


def _user_tasks() -> set[str]:
    tasks = set()
    for file, xml in parser.read_model_files().items():
        if file.endswith(".bpmn"):
            tasks |= {el.get("id") for el in etree.fromstring(xml.encode()).iter(f"{BPMN}userTask")}
    return tasks


def _entry(instance, actor, action="completed", task_name="", data=None) -> AuditEntry:
    return AuditEntry(instance=instance, actor=actor, action=action, task_name=task_name, data=data or {})


def _words(hubei) -> audit_text.Words:
    colleges = {c.pk: c.name for c in Organization.objects.filter(kind=Organization.Kind.COLLEGE)}
    return audit_text.Words(hubei.instance.definition, colleges, hubei.negotiation.certificate.name)


def _data(sample: dict, hubei) -> dict:
    ids = {"COLLEGE_B": str(hubei.invitees[0].pk), "COLLEGE_C": str(hubei.invitees[1].pk)}
    expert = {"expert": Person.objects.get(user__username="expert_42").user_id} if "expert" in sample else {}
    return {**sample, **expert,
            **({"college_ids": [ids[x] for x in sample["college_ids"]]} if "college_ids" in sample else {})}


def test_every_user_task_of_the_models_has_a_sentence():
    tasks = _user_tasks()
    assert len(tasks) >= 12
    assert tasks - set(audit_text.TASK_SENTENCES) == set()
    assert tasks - set(SAMPLES) == set()  # and a sample here, so the next test reads it


@pytest.mark.parametrize("task", sorted(_user_tasks()))
def test_every_task_reads_as_one_sentence_in_each_language_never_as_data(task, hubei):
    lead = Person.objects.get(user__username="college_42_1").user
    for sample in SAMPLES[task]:
        entry = _entry(hubei.instance, lead, task_name=task, data=_data(sample, hubei))
        chinese = audit_text.sentence(entry, _words(hubei))
        with translation.override("en"):
            english = audit_text.sentence(entry, _words(hubei))
        assert chinese.startswith("王芳（武汉职业技术学院）") and english.startswith("王芳 (武汉职业技术学院)")
        for text in (chinese, english):
            assert "{" not in text and "[" not in text and "_" not in text, text
        assert "completed" not in english and "办结了" not in chinese, (task, sample)  # its own, not the generic
        assert not re.search(r"[A-Za-z]{3,}", chinese), chinese
        assert not CJK.search(english.replace("王芳 (武汉职业技术学院)", "")) or task in (
            "verify_baseline", "verify_baseline_finance", "expert_opinion", "expert_opinion_finance",
            "record_supervision", "invite_members", "investigate_complaint", "answer_complaint",
            "decide_complaint", "decide_yellow_card", "decide_delisting"), english  # typed texts, names of people


def test_the_invitation_reads_as_the_lead_inviting_the_colleges_by_name(hubei):
    hubei.form()
    lines = audit_text.trail(hubei.instance)
    texts = [line.text for line in lines]
    assert "王芳（武汉职业技术学院）邀请了湖北交通职业技术学院、武汉船舶职业技术学院。" in texts
    assert "刘洋（湖北交通职业技术学院）接受了联盟邀请。" in texts
    assert texts[0] == "王芳（武汉职业技术学院）发起了“Web 前端开发”的收费协商。"


def test_amounts_read_as_yuan_with_thousands_and_funding_by_name(hubei):
    finance = Person.objects.get(user__username="finance_42_1").user
    release = _entry(hubei.instance, finance, task_name="release_payment", data=SAMPLES["release_payment"][0])
    assert audit_text.sentence(release, _words(hubei)) == (
        "孙丽（武汉职业技术学院）拨付了 ¥1,234.50：财政资金 ¥1,000.00（考核费）、专项资金 ¥234.50（师资培训）。")
    counter = _entry(hubei.instance, finance, task_name="alliance_responds", data=SAMPLES["alliance_responds"][0])
    with translation.override("en"):
        assert audit_text.sentence(counter, _words(hubei)) == "孙丽 (武汉职业技术学院) countered with ¥1,234.50."


@pytest.mark.parametrize("action, task, data", [
    ("completed", "invite_members", {"college_ids": ["999999"]}),
    ("completed", "alliance_responds", {"decision": "counter", "fee": "lots"}),
    ("completed", "release_payment", {"funding": "fiscal"}),
    ("completed", "verify_baseline", {"decision": "maybe"}),
    ("completed", "verify_baseline_finance", {"decision": "consult", "expert": "999999", "question": "?"}),
    ("completed", "expert_opinion", {"opinion": ["?"]}),
    ("completed", "a_task_drawn_tomorrow", {"x": 1}),
    ("paper_order_lost", "", {"order": 3, "why": ["?"]}),
    ("message", "", {"message": "something_else", "payload": {"a": 1}}),
    ("completed_process", "", {}),
])
def test_data_a_sentence_cannot_read_falls_back_to_a_generic_sentence_never_to_the_data(action, task, data, hubei):
    lead = Person.objects.get(user__username="college_42_1").user
    text = audit_text.sentence(_entry(hubei.instance, lead, action, task, data), _words(hubei))
    assert text.startswith("王芳（武汉职业技术学院）") and text.endswith("。")
    assert "{" not in text and "999999" not in text and "lots" not in text and "something_else" not in text


def test_the_end_of_a_process_reads_as_its_end_state_and_the_system_as_the_actor(hubei):
    entry = _entry(hubei.instance, None, "completed_process", data={"end_event": "not_formed_end"})
    assert audit_text.sentence(entry, _words(hubei)) == "流程结束：联盟未组建。"
    with translation.override("en"):
        assert audit_text.who(None) == "The system"
        assert audit_text.sentence(entry, _words(hubei)) == "The process ended: Alliance not formed."
