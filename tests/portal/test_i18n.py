"""Chinese first, English by preference or switch: compiled catalogues, not two columns."""
import ast
import re
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from workflows import contracts, rules
from workflows.errors import RuleViolation
from workflows.money import parse_amount

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
GETTEXT_CALL = re.compile(r'\b_\("([^"]+)"\)')


def _used_strings() -> set[str]:
    used = set()
    for app in ("portal", "notifications", "documents"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*"):
            if path.suffix in (".html", ".py"):
                text = path.read_text(encoding="utf-8")
                used |= set(TRANSLATE_TAG.findall(text)) | set(GETTEXT_CALL.findall(text))
    return used


def test_every_page_string_has_a_chinese_translation_and_none_is_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))
    translated = {entry.msgid for entry in catalogue.translated_entries()}
    assert not catalogue.fuzzy_entries()
    assert _used_strings() - translated == set()


def test_pages_are_chinese_by_default(browser):
    page = browser.get("/disclosure/").content.decode()
    assert "收费标准公示" in page and "Published fee schedules" not in page


def test_a_browser_preferring_english_gets_english(browser):
    page = browser.get("/disclosure/", headers={"accept-language": "en"}).content.decode()
    assert "Published fee schedules" in page and "收费标准公示" not in page


def test_the_language_switch_on_every_page_changes_the_language(browser):
    browser.as_("teo_1")
    switched = browser.post("/i18n/setlang/", {"language": "en", "next": "/tasks/"})
    assert switched.status_code == 302
    assert "My tasks" in browser.get("/tasks/").content.decode()
    browser.post("/i18n/setlang/", {"language": "zh-hans", "next": "/tasks/"})
    assert "我的待办" in browser.get("/tasks/").content.decode()


def test_bilingual_domain_labels_show_the_active_language_only(browser):
    zh = browser.get("/disclosure/").content.decode()
    en = browser.get("/disclosure/", headers={"accept-language": "en"}).content.decode()
    assert "纸笔考试" in zh and "Paper-and-pencil" not in zh
    assert "Paper-and-pencil" in en and "纸笔考试" not in en


def test_amounts_are_shown_as_yuan_with_thousands_and_two_places():
    from portal.templatetags.portal import delta, yuan

    assert yuan("1234.5") == "¥1,234.50"
    assert delta("-5") == "−¥5.00" and delta("10") == "+¥10.00" and delta("0") == "±0"


# --- refusals and labels: one language, the catalogue's Chinese by default -------------------

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
TRANSLATED_CALLS = {"_", "_lazy", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}


def _literals(node: ast.Call) -> tuple | None:
    """(context, msgid) of a translation call whose arguments are literals, else None."""
    texts = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    if node.func.id.startswith("pgettext"):
        return tuple(texts[:2]) if len(texts) >= 2 else None
    return (None, texts[0]) if texts and len(node.args) >= 1 and node.args[0].value == texts[0] else None


def _marked_strings(apps=("workflows", "api", "bpmn", "portal", "notifications", "documents")) -> dict[tuple, str]:
    """Every literal passed to _ / _lazy / gettext(_lazy) / pgettext(_lazy) in the apps' Python, with where."""
    found = {}
    for app in apps:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in TRANSLATED_CALLS:
                    key = _literals(node) if isinstance(node.args[0] if node.args else None, ast.Constant) else None
                    if key:
                        found.setdefault(key, f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    return found


def test_every_marked_string_of_the_domain_engine_and_api_has_a_chinese_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    translated = {(entry.msgctxt, entry.msgid) for entry in catalogue.translated_entries()}
    marked = _marked_strings()
    assert len(marked) > 100  # refusals of workflows, api and bpmn are among them
    assert {text: where for text, where in marked.items() if text not in translated} == {}


def _refusal(check, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        check(*args)
    return refused.value


SAMPLES = {
    "fee_cap_2357": (lambda: _refusal(rules.check_fee_cap, "paper", Decimal("200.01"), Decimal("200.00")),
                     "纸笔考试 上限 200.00 元/人次，拟定 200.01 元"),
    "special_fund_forbidden_use": (lambda: _refusal(rules.check_special_fund_use, "special", "debt_repayment"),
                                   "专项资金不得用于偿还债务（debt_repayment）"),
    "reasons_required": (lambda: _refusal(contracts.contract_for("fee_verification", "verify_baseline").read,
                                          {"reasons": " "}, "reasons", True), "须填写理由"),
    "amount_too_large": (lambda: _refusal(parse_amount, "100000000.01"), "金额过大"),
    "headcount_too_large": (lambda: _refusal(rules.check_headcount, 100_001), "单场考核人数不超过 100,000"),
}


@pytest.mark.parametrize("rule", SAMPLES)
def test_a_refusal_is_chinese_by_default_and_english_without_a_cjk_character_in_english(rule):
    make, chinese = SAMPLES[rule]
    refusal = make()
    assert refusal.rule == rule
    assert chinese in refusal.message and not re.search(r"[A-Za-z]{3,}", refusal.message.replace(refusal.rule, "")
                                                        .replace("debt_repayment", ""))
    with translation.override("en"):
        english = refusal.message
    assert english and not CJK.search(english), english


def test_the_api_answers_a_refusal_in_the_requests_language_with_its_params(world):
    from tests.api.clients import api

    schedule = next(s for s in api().get("/api/v1/fee-schedules/").json()["results"] if s["certificate"] == "X-WEB-01")
    body = {"certificate_id": schedule["certificate_id"], "fee": "150.00", "lines": {"question_bank": "150.00"},
            "paper_copy_price": "40.01"}
    chinese = api("teo_1").post("/api/v1/fee-schedules/", body, format="json").json()
    english = api("teo_1").post("/api/v1/fee-schedules/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert chinese["rule"] == english["rule"] == "paper_certificate_price"
    assert chinese["params"] == english["params"] == {"max": "40.00", "price": "40.01"}
    assert chinese["message"] == "纸质证书收费不超过 40.00 元（含邮寄），填写的是 40.01 元。"
    assert english["message"] == ("A paper certificate costs the student at most 40.00 CNY including delivery, "
                                  "asked 40.01.")
    unauthenticated = api().post("/api/v1/fee-schedules/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert not CJK.search(unauthenticated["message"])


def _choice_models():
    from django.apps import apps

    for app in ("workflows", "notifications", "bpmn"):
        yield from apps.get_app_config(app).get_models()


def _bilingual_choice_labels() -> set[str]:
    found = set()
    for model in _choice_models():
        for field in model._meta.get_fields():
            for _value, label in getattr(field, "choices", None) or []:
                text = str(label)
                if CJK.search(text) and re.search(r"[A-Za-z]", text):
                    found.add(f"{model.__name__}.{field.name}")
    return found


def test_no_choice_label_holds_both_languages():
    with translation.override("en"):
        assert _bilingual_choice_labels() == set()


# --- the process models: English names, Chinese in the catalogue (context "process") --------------


def _deployed_sources(deployed) -> dict[str, str]:
    return {name: xml for definition in deployed for name, xml in definition.sources.items() if name.endswith(".bpmn")}


def test_every_name_in_every_deployed_model_has_a_chinese_translation(deployed):
    from bpmn import names

    catalogue = polib.pofile(str(CATALOGUE))
    translated = {entry.msgid for entry in catalogue.translated_entries() if entry.msgctxt == names.CONTEXT}
    shown = {(file, text) for file, xml in _deployed_sources(deployed).items() for text in names.texts_in(xml, file)}
    assert len(shown) > 100
    assert {(file, text) for file, text in shown if text not in translated} == set()
    assert not any(CJK.search(text) for _file, text in shown)  # one language in the files: English


def test_every_lane_of_every_deployed_model_is_named_for_people():
    from bpmn import names, parser
    from workflows.roles import LANE_LABELS, lane_label

    lanes = {lane for file, xml in parser.read_model_files().items() if file.endswith(".bpmn")
             for lane in names.lanes_in(xml, file)}
    assert lanes and lanes <= set(LANE_LABELS)
    assert {lane_label(lane) for lane in lanes} >= {"联盟牵头院校", "省级教育行政部门"}
    with translation.override("en"):
        assert lane_label("finance") == "College finance" and lane_label("nobody") == "Not assigned"


def test_a_task_label_is_shown_in_the_pages_language(browser, hubei):
    zh = browser.as_("college_42_1").get("/tasks/").content.decode()
    en = browser.get("/tasks/", headers={"accept-language": "en"}).content.decode()
    assert "邀请成员院校" in zh and "Invite member colleges" not in zh
    assert "Invite member colleges" in en and "邀请成员院校" not in en
    assert "组建联盟" in zh and "alliance_formation<" not in zh  # the process by its name, not its id
