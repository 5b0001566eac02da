"""The subsidy page (补助资金分配): the finance division opens, adjusts and releases; the others read."""
import re

import pytest

from tests.workflows.test_subsidies import FILED, TITLE, filed_world, opened
from tests.workflows.walk import college
from workflows.models import SubsidyAllocation, SubsidyRound

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def open_form(**changes) -> dict:
    return {"form": "open", "year": "2026", "title": TITLE, "total": "100000", "weight_filed_students": "70",
            "weight_equal_share": "30", **changes}


def test_the_finance_division_opens_a_round_on_the_page_and_sees_the_computed_split(browser):
    filed_world()
    done = browser.as_("finance_div_42").post("/subsidies/", open_form())
    assert done.status_code == 302
    page = text(browser.get("/subsidies/"))
    subsidy = SubsidyRound.objects.get()
    assert TITLE in page and f'id="round-{subsidy.pk}" data-state="draft"' in page
    assert 'data-value="59000.00"' in page and f'id="release-{subsidy.pk}"' in page


def test_a_refused_round_comes_back_with_the_rule_and_what_was_typed(browser):
    filed_world()
    again = browser.as_("finance_div_42").post("/subsidies/", open_form(weight_equal_share="20"))
    page = text(again)
    assert again.status_code == 400 and 'data-rule="subsidy_weights_total"' in page
    assert f'value="{TITLE}"' in page
    assert 'id="id_weight_equal_share" name="weight_equal_share" size="4" value="20"' in page
    assert not SubsidyRound.objects.exists()


def test_an_adjustment_and_the_release_on_the_page(browser):
    filed_world()
    subsidy = opened()
    first = subsidy.allocations.get(college=college("college_42_1"))
    last = subsidy.allocations.get(college=college("college_42_3"))
    finance = browser.as_("finance_div_42")
    assert finance.post("/subsidies/", {"form": "adjust", "allocation": first.pk, "amount": "12000",
                                        "reasons": "新增实训基地"}).status_code == 302
    refused = finance.post("/subsidies/", {"form": "release", "round": subsidy.pk})
    assert refused.status_code == 409 and 'data-rule="subsidy_allocations_not_total"' in text(refused)
    finance.post("/subsidies/", {"form": "adjust", "allocation": last.pk, "amount": "68000", "reasons": "调剂"})
    assert finance.post("/subsidies/", {"form": "release", "round": subsidy.pk}).status_code == 302
    subsidy.refresh_from_db()
    assert subsidy.state == SubsidyRound.State.RELEASED
    assert f'id="release-{subsidy.pk}"' not in text(finance.get("/subsidies/"))


def test_a_college_sees_its_own_grant_only_once_released(browser):
    filed_world()
    subsidy = opened(weights={FILED: 100})
    assert TITLE not in text(browser.as_("college_42_1").get("/subsidies/"))
    browser.as_("finance_div_42").post("/subsidies/", {"form": "release", "round": subsidy.pk})
    page = text(browser.as_("college_42_1").get("/subsidies/"))
    rows = re.findall(r'<tr data-college="(\d+)">', page.split('id="performance"')[0])
    assert TITLE in page and rows == [str(college("college_42_1").pk)]
    assert 'id="open-round-form"' not in page and "<form method=\"post\" class=\"inline-form\"" not in page
    grant = SubsidyAllocation.objects.get(round=subsidy, college=college("college_42_1")).amount
    assert f'data-value="{grant}"' in page.split('id="performance"')[1]


@pytest.mark.parametrize("reader, shown", [("finance_div_42", 200), ("reviewer_42", 200), ("institution_42", 200),
                                           ("ministry", 200), ("college_42_1", 200), ("finance_42_1", 200),
                                           ("teo_1", 403), ("student", 403)])
def test_who_opens_the_page(browser, reader, shown):
    assert browser.as_(reader).get("/subsidies/").status_code == shown


def test_a_reviewer_reads_the_rounds_but_may_not_post_them(browser):
    filed_world()
    subsidy = opened()
    page = text(browser.as_("reviewer_42").get("/subsidies/"))
    assert TITLE in page and f'id="release-{subsidy.pk}"' not in page
    refused = browser.post("/subsidies/", {"form": "release", "round": subsidy.pk})
    assert refused.status_code == 403 and 'data-rule="actor_not_allowed"' in text(refused)


def test_an_unknown_form_is_refused(browser):
    answer = browser.as_("finance_div_42").post("/subsidies/", {"form": "pay_per_head"})
    assert answer.status_code == 400 and 'data-rule="subsidy_form_unknown"' in text(answer)


def test_the_grants_and_spending_export_as_a_spreadsheet_for_the_college_its_own_row(browser):
    import csv
    import io

    filed_world()
    subsidy = opened(weights={FILED: 100})
    browser.as_("finance_div_42").post("/subsidies/", {"form": "release", "round": subsidy.pk})
    answer = browser.as_("finance_42_1").get("/subsidies/?export=csv&table=performance&year=2026")
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["省份", "院校", "获补助"]
    assert [row[1] for row in rows[1:]] == [college("college_42_1").name] and rows[1][2] == "10000.00"
