"""Chinese first, English by preference or switch: compiled catalogues, not two columns."""
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
GETTEXT_CALL = re.compile(r'\b_\("([^"]+)"\)')


def _used_strings() -> set[str]:
    used = set()
    for app in ("portal", "notifications"):
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
