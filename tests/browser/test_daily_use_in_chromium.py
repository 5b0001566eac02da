"""Off the happy path, in Chinese and in English: corrections, a paper copy, an expired session,
confirmations and a phone's width, as the people who use the portal every day meet them.

The browser is the session's and the server the module's; each test has the demo world to itself
(loading it takes 0.3 s) and walks its lifecycles there through the services, so the browser does
only the steps under test. What a page must say is taken from the translation catalogue in the
page's language, never typed into the test.
"""
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from bpmn.models import OpenTask
from portal.templatetags.portal import yuan
from tests.browser.conftest import new_page
from tests.browser.steps import signed_in
from tests.servers import threaded_server
from tests.workflows.walk import Walk, college, lifecycle_instance, user
from tryout.demo import PASSWORD
from workflows import services
from workflows.models import (
    Agreement,
    AssessmentSitting,
    Baseline,
    FeeProposal,
    Membership,
    Negotiation,
    PaperCertificateOrder,
    Payment,
    Person,
    Role,
)
from workflows.refusals import REFUSED, refusal_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The page's language (html lang) → Django's code for it and the browser locale that asks for it.
LANGUAGES = {"zh-Hans": ("zh-hans", "zh-CN"), "en": ("en", "en-US")}
PHONE = {"width": 390, "height": 844}
# Each language's dialogs run in a province of their own: lead, invitees, finance, reviewer.
SIDES = {
    "zh-Hans": ("college_42_1", ("college_42_2", "college_42_3"), "finance_42_1", "reviewer_42"),
    "en": ("college_32_1", ("college_32_2", "college_32_3"), "finance_32_1", "reviewer_32"),
}
TYPED = {"zh-Hans": "按实际考核成本，请降至 170 元", "en": "At our actual costs, please come down to 170"}


# --- the world ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(django_db_setup):
    """One server for the module: pages, static files and sockets on the test database."""
    with threaded_server() as url:
        yield url


@pytest.fixture
def filed(demo_world) -> Walk:
    """Hubei's X-WEB-01 agreement, filed; its lead college sat the assessment and 李明 holds two certificates.

    The assessment test records one of the other two colleges (one per language); each language
    orders a paper copy of its own certificate.
    """
    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3"))
    walk.through_filing()
    walk.agreement = Agreement.objects.get(negotiation=walk.negotiation)
    sitting = services.record_assessment(user("teo_1"), walk.agreement, college("college_42_1"), 30,
                                         services.today())
    holder = "李明,2023010001"  # the demo student by their record
    walk.certificates = dict(zip(LANGUAGES, services.issue_certificates(user("teo_1"), sitting, [holder, holder]),
                                 strict=True))
    return walk


@pytest.fixture
def browse(chromium, server):
    """Open pages in fresh browser contexts, in a language; closed after the test."""
    opened = []

    def open_page(lang: str, locale: str | None = None, viewport: dict | None = None):
        page = new_page(chromium, server, locale or LANGUAGES[lang][1], **({"viewport": viewport} if viewport else {}))
        # Without their socket (test_live_updates tests it): its catch-up and refreshes would read
        # the tables the services write from this thread, which the in-memory SQLite of the tests
        # refuses at once (a shared-cache table lock) instead of waiting.
        page.context.add_init_script("delete window.WebSocket;")
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.context.close()


# --- steps and expectations ------------------------------------------------------------------


def speak(page, lang: str) -> None:
    """Choose the language with the portal's switch in the header when the page is not in it already."""
    if page.get_attribute("html", "lang") != lang:
        page.click("header form[action$='/i18n/setlang/'] button[name=language]")
    expect(page.locator("html")).to_have_attribute("lang", lang)


def said(lang: str, message: str, **params) -> str:
    """A catalogue message as a page in `lang` shows it."""
    with translation.override(LANGUAGES[lang][0]):
        return gettext(message) % params if params else gettext(message)


def money(lang: str, amount) -> str:
    with translation.override(LANGUAGES[lang][0]):
        return yuan(amount)


def refusal(lang: str, act) -> tuple[str, str]:
    """The rule and message the services refuse `act` with, in `lang`: what the page must show."""
    with translation.override(LANGUAGES[lang][0]):
        try:
            act()
        except REFUSED as error:
            shown = refusal_of(error)
            return shown.rule, str(shown.message)
    raise AssertionError("the act was not refused")


def assert_product_page(page, lang: str) -> None:
    """The product's own page in the language asked for: never Django's debug, 404 or CSRF page."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.locator("header.top").count() == 1
    assert page.locator("#summary, #traceback, #explanation").count() == 0


def username_of(organization_id: int, role: str = Role.COLLEGE) -> str:
    return Person.objects.get(organization_id=organization_id, role=role).user.username


def open_task(page, task: OpenTask) -> None:
    page.goto(f"{page.base}/tasks/{task.task_id}/")
    page.wait_for_selector("#task-title")


# --- 1. assessment correction ---------------------------------------------------------------


ASSESSED = {"zh-Hans": "college_42_2", "en": "college_42_3"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_teo_corrects_a_headcount_and_adds_a_make_up_and_the_payment_follows_but_never_zero(browse, filed, lang):
    agreement, member = filed.agreement, college(ASSESSED[lang])
    today = f"{services.today():%Y-%m-%d}"
    page = browse(lang)
    signed_in(page, "teo_1")
    page.goto(f"{page.base}/assessments/")
    assert_product_page(page, lang)

    rule, message = refusal(lang, lambda: services.record_assessment(user("teo_1"), agreement, member, 0,
                                                                     services.today()))
    record = page.locator(f"#record-{agreement.pk}")
    record.locator("select[name=college]").select_option(str(member.pk))
    record.locator("input[name=held_on]").fill(today)
    record.locator("input[name=headcount]").fill("0")
    record.locator("button").click()
    expect(page.locator(f".refusal[data-rule={rule}]")).to_contain_text(message)
    assert_product_page(page, lang)
    expect(record.locator("select[name=college]")).to_have_value(str(member.pk))  # as typed, on the new page
    expect(record.locator("input[name=held_on]")).to_have_value(today)
    expect(record.locator("input[name=headcount]")).to_have_value("0")
    assert not AssessmentSitting.objects.filter(agreement=agreement, college=member).exists()

    record.locator("input[name=headcount]").fill("12")
    record.locator("button").click()
    page.wait_for_selector(f"tr.sitting[data-college='{member.pk}'][data-headcount='12']")
    sitting = AssessmentSitting.objects.get(agreement=agreement, college=member)
    row = page.locator(f"#sitting-{sitting.pk}")
    expect(row.locator("td.payment")).to_contain_text(money(lang, agreement.fee * 12))

    correct = page.locator(f"#correct-{sitting.pk}")
    reason = TYPED[lang][:12]
    correct.locator("input[name=headcount]").fill("0")
    correct.locator("input[name=reason]").fill(reason)
    correct.locator("button").click()
    expect(page.locator(f".refusal[data-rule={rule}]")).to_contain_text(message)
    expect(correct.locator("input[name=headcount]")).to_have_value("0")
    expect(correct.locator("input[name=reason]")).to_have_value(reason)
    assert Payment.objects.get(agreement=agreement, college=member).amount == agreement.fee * 12

    correct.locator("input[name=headcount]").fill("10")
    correct.locator("button").click()
    page.wait_for_selector(f"#sitting-{sitting.pk}[data-headcount='10']")
    expect(row.locator("td.payment")).to_contain_text(money(lang, agreement.fee * 10))
    assert Payment.objects.get(agreement=agreement, college=member).amount == agreement.fee * 10

    makeup = page.locator(f"#makeup-{sitting.pk}")
    makeup.locator("input[name=held_on]").fill(today)
    makeup.locator("input[name=headcount]").fill("3")
    makeup.locator("button").click()
    page.wait_for_selector(f"#sitting-{sitting.pk}[data-headcount='13']")
    expect(row.locator("td.payment")).to_contain_text(money(lang, agreement.fee * 13))
    assert Payment.objects.get(agreement=agreement, college=member).amount == agreement.fee * 13
    assert_product_page(page, lang)


# --- 2. paper order ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_student_orders_a_paper_copy_at_the_published_price_once(browse, filed, lang):
    certificate = filed.certificates[lang]
    published = services.paper_copy_price(certificate)
    address = {"zh-Hans": "湖北省武汉市洪山区珞喻路 1 号", "en": "1 Luoyu Road, Hongshan, Wuhan, Hubei"}[lang]
    # A Chinese browser: the English page is chosen with the portal's own switch, and stays chosen.
    page = browse(lang, locale="zh-CN")
    signed_in(page, "student")
    page.goto(f"{page.base}/certificates/")
    speak(page, lang)
    form = page.locator(f"#paper-order-{certificate.pk}")
    expect(form).to_contain_text(money(lang, published))
    assert form.locator("input[name*=price], select[name*=price]").count() == 0  # the price is not typed
    expect(form.locator("input[name=recipient]")).to_have_value(certificate.holder_name)
    stale = page.context.new_page()  # a second tab, opened before the order: it still offers the form
    stale.goto(f"{page.base}/certificates/")

    form.locator("input[name=phone]").fill("13800000000")
    form.locator("textarea[name=address]").fill(address)
    form.locator("button").click()
    expect(page.locator(f"#certificate-{certificate.pk} .paper-orders li")).to_have_count(1)
    expect(page.locator(f"#paper-order-{certificate.pk}")).to_have_count(0)
    order = PaperCertificateOrder.objects.get(certificate=certificate)
    assert (order.price, order.address) == (published, address)

    rule, message = refusal(lang, lambda: services.order_paper_certificate(
        user("student"), certificate, certificate.holder_name, "13800000000", address))
    again = stale.locator(f"#paper-order-{certificate.pk}")
    again.locator("input[name=phone]").fill("13900000000")
    again.locator("textarea[name=address]").fill(address)
    again.locator("button").click()
    expect(stale.locator(f".refusal[data-rule={rule}]")).to_contain_text(message)
    assert_product_page(stale, lang)
    assert PaperCertificateOrder.objects.filter(certificate=certificate).count() == 1


# --- 3. session expiry with the form kept -----------------------------------------------------


def submit_signed_out_and_sign_in_again(page, lang: str, username: str, task: OpenTask) -> None:
    page.click("button[value=counter]")
    page.wait_for_selector("#id_password")  # the sign-in page, which brings the person back afterwards
    assert_product_page(page, lang)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"**/tasks/{task.task_id}/")
    assert_product_page(page, lang)
    expect(page.locator(".notice").first).to_have_text(
        said(lang, "Your session had expired. What you typed is kept below: check it and submit again."))
    expect(page.locator("#id_comment")).to_have_value(TYPED[lang])
    assert OpenTask.objects.filter(task_id=task.task_id).exists()  # nothing was sent while signed out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_counter_offer_typed_when_the_session_ends_comes_back_after_signing_in(browse, demo_world, lang):
    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")).to_first_offer()
    task = walk.task("alliance_responds")
    fee = Decimal("170.00")
    page = browse(lang)
    signed_in(page, "college_42_1")
    open_task(page, task)
    for code, amount in walk.offer_lines(fee).items():
        page.fill(f"#line_{code}", amount)
    page.fill("#id_fee", str(fee))
    page.fill("#id_comment", TYPED[lang])

    # The session ends (its cookie is gone, the form's security token is still good).
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    submit_signed_out_and_sign_in_again(page, lang, "college_42_1", task)
    expect(page.locator("#id_fee")).to_have_value(str(fee))
    # Every cookie is gone, the security token's too: the CSRF refusal keeps the form all the same.
    page.context.clear_cookies()
    submit_signed_out_and_sign_in_again(page, lang, "college_42_1", task)

    page.click("button[value=counter]")
    page.wait_for_url(f"**/negotiations/{walk.negotiation.pk}/")
    countered = FeeProposal.objects.get(negotiation=walk.negotiation, round_no=2)
    assert (countered.fee, countered.comment) == (fee, TYPED[lang])


# --- 4. confirmation dialogs -------------------------------------------------------------------


def think_better_of_it(page, button: str, question: str) -> None:
    """Click an irreversible act's button and dismiss the question it asks: the form is not sent."""
    page.evaluate("window.stayed = true")  # gone if the page were left
    page.accept_dialogs = False
    try:
        with page.expect_event("dialog"):
            page.click(button)
    finally:
        page.accept_dialogs = True
    assert page.dialogs[-1] == question
    assert page.evaluate("window.stayed") is True


def confirm(page, button: str, question: str, lands_on: str) -> None:
    """Click the button again and accept: the act is done and the page moves on."""
    page.click(button)
    page.wait_for_url(lands_on)
    assert page.dialogs[-1] == question


@pytest.mark.parametrize("lang", LANGUAGES)
def test_declining_rejecting_and_refusing_verification_ask_first_and_a_dismissal_changes_nothing(
        browse, demo_world, lang):
    lead, invitees, _, reviewer = SIDES[lang]
    walk = Walk("X-CNC-04", lead=lead, invite=invitees)
    room = f"**/negotiations/{walk.negotiation.pk}/"
    walk.do("invite_members", {"college_ids": [c.pk for c in walk.invitees]})
    invitation = walk.task("respond_invitation")
    membership = Membership.objects.get(alliance_id=walk.negotiation.alliance_id, college_id=invitation.organization_id)
    page = browse(lang)

    signed_in(page, username_of(invitation.organization_id))
    open_task(page, invitation)
    question = said(lang, "Decline the invitation? Your answer cannot be changed afterwards.")
    think_better_of_it(page, "button[value=decline]", question)
    membership.refresh_from_db()
    assert membership.state == Membership.State.INVITED
    assert OpenTask.objects.filter(task_id=invitation.task_id).exists()
    confirm(page, "button[value=decline]", question, room)
    membership.refresh_from_db()
    assert membership.state == Membership.State.DECLINED

    walk.do("respond_invitation", {"decision": "accept"})  # the other invitee: the alliance is two, enough
    walk.do("screen_services", {"training_content": "师资培训 5 天"})
    signed_in(page, lead)
    open_task(page, walk.task("alliance_responds"))
    question = said(lang, "Reject this offer? The negotiation goes to provincial mediation and no further rounds "
                          "are offered.")
    think_better_of_it(page, "button[value=reject]", question)
    assert Negotiation.objects.get(pk=walk.negotiation.pk).state == Negotiation.State.NEGOTIATING
    confirm(page, "button[value=reject]", question, room)
    assert Negotiation.objects.get(pk=walk.negotiation.pk).state == Negotiation.State.MEDIATION

    fee = walk.negotiation.schedule.fee
    walk.do("mediate", {"decision": "agreed", "fee": str(fee), "lines": walk.offer_lines(fee)})
    baseline = Baseline.objects.get(negotiation=walk.negotiation)
    walk.do("verify_baseline_finance", {"decision": "verify"})  # 财务处 first: 职成处's refusal settles it
    signed_in(page, reviewer)
    open_task(page, walk.task("verify_baseline"))
    page.fill("#id_reasons", TYPED[lang])
    question = said(lang, "Refuse to verify this fee? The lifecycle ends here and cannot be resumed.")
    think_better_of_it(page, "button[value=reject]", question)
    baseline.refresh_from_db()
    assert baseline.state == Baseline.State.PENDING
    confirm(page, "button[value=reject]", question, room)
    baseline.refresh_from_db()
    assert baseline.state == Baseline.State.REJECTED


@pytest.mark.parametrize("lang", LANGUAGES)
def test_signing_releasing_and_superseding_ask_first_and_a_dismissal_changes_nothing(browse, demo_world, lang):
    lead, invitees, finance, reviewer = SIDES[lang]
    walk = Walk("X-CLOUD-02", lead=lead, invite=invitees)
    room = f"**/negotiations/{walk.negotiation.pk}/"
    walk.form()
    walk.agree()
    walk.verify()
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    page = browse(lang)

    signed_in(page, lead)
    open_task(page, walk.task("sign_alliance"))
    question = said(lang, "Sign the agreement on %(fee)s per person per sitting? A signature cannot be withdrawn.",
                    fee=money(lang, agreement.fee))
    think_better_of_it(page, "form.card button[data-confirm]", question)
    agreement.refresh_from_db()
    assert agreement.signed_by_alliance_at is None
    confirm(page, "form.card button[data-confirm]", question, room)
    agreement.refresh_from_db()
    assert agreement.signed_by_alliance_at is not None

    walk.do("sign_teo")
    walk.do("acknowledge_filing", {"flagged": False})
    agreement.refresh_from_db()
    services.record_assessment(user("teo_1"), agreement, college(lead), 20, services.today())
    payment = Payment.objects.get(agreement=agreement, college=college(lead))
    signed_in(page, finance)
    open_task(page, walk.task("release_payment"))
    page.fill("input[name=amount_own]", f"{payment.amount:.2f}")
    page.wait_for_selector("#funding-balance[data-state=exact]")
    question = said(lang, "Release %(amount)s for %(college)s? A released payment cannot be taken back.",
                    amount=money(lang, payment.amount), college=payment.college.name)
    think_better_of_it(page, "form.card button[data-confirm]", question)
    payment.refresh_from_db()
    assert payment.state == Payment.State.DUE
    confirm(page, "form.card button[data-confirm]", question, room)
    payment.refresh_from_db()
    assert payment.state == Payment.State.RELEASED

    baseline = agreement.baseline
    signed_in(page, reviewer)
    page.goto(f"{page.base}/baselines/{baseline.pk}/supersede/")
    page.fill("#id_reasons", TYPED[lang])
    question = said(lang, "Supersede this baseline? Every agreement listed is re-opened and must be signed and "
                          "filed again.")
    think_better_of_it(page, "main button[data-confirm]", question)
    baseline.refresh_from_db()
    assert baseline.state == Baseline.State.VERIFIED
    confirm(page, "main button[data-confirm]", question, "**/baselines/")
    baseline.refresh_from_db()
    agreement.refresh_from_db()
    assert (baseline.state, agreement.state) == (Baseline.State.SUPERSEDED, Agreement.State.REOPENED)


# --- 5. a phone's width ------------------------------------------------------------------------


# Every element's box within the viewport. Content inside a box that scrolls sideways counts as
# overflowing too (the person would scroll that box), but for the header's navigation row, which
# scrolls by design, and a drawing that pans inside its own frame (overflow hidden).
MISFITS = """() => {
  const width = window.innerWidth;
  const framed = (el) => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
                             const overflow = getComputedStyle(a).overflowX;
                             if (overflow === "hidden" || overflow === "clip") return true;
                             if (overflow !== "visible" && a.closest("header.top")) return true; }
                           return false; };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                       + [...el.classList].map((c) => "." + c).join("");
  const out = (el) => { const box = el.getBoundingClientRect();
                        return (box.width || box.height) && (box.right > width + 0.5 || box.left < -0.5)
                               && !framed(el); };
  const misfits = [...document.body.querySelectorAll("*")].filter((el) => out(el) && !out(el.parentElement));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
          header: document.querySelector("header.top").getBoundingClientRect().height,
          misfits: misfits.map((el) => { const b = el.getBoundingClientRect();
                                         return `${name(el)} ${Math.round(b.left)}..${Math.round(b.right)}px`; })};
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_daily_pages_fit_a_phones_width_with_a_short_header(browse, filed, lang, shot):
    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")).to_first_offer()
    pages = [
        ("counter-offer", "college_42_1", f"/tasks/{walk.task('alliance_responds').task_id}/", "#offer-form"),
        ("negotiation-room", "college_42_1", f"/negotiations/{walk.negotiation.pk}/", ".round"),
        ("inbox", "college_42_1", "/tasks/", "tr[data-task]"),
        ("payments", "finance_42_1", "/payments/", "#payments-list"),
        ("baselines", "reviewer_42", "/baselines/", "#baselines-list"),
        ("process", "ministry", f"/processes/{lifecycle_instance(filed.negotiation).pk}/",
         "#diagram-0[data-rendered=true]"),
    ]
    page = browse(lang, viewport=PHONE)
    failures, signed = {}, None
    for name, username, path, ready in pages:
        if username != signed:
            signed_in(page, username)
            signed = username
        page.goto(f"{page.base}{path}")
        page.wait_for_selector(ready)
        assert_product_page(page, lang)
        shot(page, f"phone-{name}-{lang}")
        fit = page.evaluate(MISFITS)
        problems = fit["misfits"][:5]
        if fit["scrollWidth"] > fit["innerWidth"]:
            problems.insert(0, f"page scrolls sideways: {fit['scrollWidth']}px in {fit['innerWidth']}px")
        if fit["header"] > 0.2 * PHONE["height"]:
            problems.insert(0, f"header {fit['header']:.0f}px of {PHONE['height']}px")
        if problems:
            failures[name] = problems
    assert not failures, failures
