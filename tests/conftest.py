import os

import pytest


def pytest_configure(config):
    """Parallel workers (pytest-xdist) share the one Redis: each keeps its channels under a prefix of its own.

    The servers a test starts inherit the prefix through the environment.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django.conf import settings

        os.environ["CHANNEL_LAYER_PREFIX"] = f"asgi-{worker}"
        layer = settings.CHANNEL_LAYERS["default"]
        if "CONFIG" in layer:
            layer["CONFIG"]["prefix"] = os.environ["CHANNEL_LAYER_PREFIX"]


@pytest.fixture(autouse=True, scope="session")
def _certificate_keys(tmp_path_factory):
    """The signing keys of a test run live in a directory of its own, never in var/; servers started inherit it."""
    from django.conf import settings

    directory = tmp_path_factory.mktemp("certificate-keys")
    os.environ["XCERT_KEY_DIR"] = str(directory)
    settings.CERTIFICATE_KEY_DIR = directory
    return directory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The demo world has ~20 accounts; PBKDF2 at production strength would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request with Accept-Language: en leaves English active in the thread; each test starts in
    # the default language (zh-hans), as a server process answering a new request does.
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def deployed(db):
    from bpmn import engine

    return engine.deploy()


@pytest.fixture
def world(deployed):
    from tryout.demo import load_demo

    return load_demo()


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    # `make` compiles them first; this keeps a bare `pytest` run honest about the Chinese pages.
    from django.core.management import call_command

    call_command("compile_catalogues", verbosity=0)
    # A catalogue read before it was compiled (a fresh tree: setting up the database translates) stays
    # cached without the new messages: read them again.
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture
def hubei(world):
    """A Hubei lifecycle of X-WEB-01 (teo_1), led by college_42_1 inviting its two neighbours."""
    from tests.workflows.walk import Walk

    return Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3"))


@pytest.fixture
def certificates(hubei_filed):
    """李明's certificate and 王五's, issued online at the Hubei lead college's sitting."""
    from tests.workflows.paper_copies import issue_two

    return issue_two(hubei_filed)


@pytest.fixture
def order(certificates):
    """A paper copy of the first of them, ordered by its holder at the published price."""
    from tests.workflows.paper_copies import ordered

    return ordered(certificates[0])


@pytest.fixture
def hubei_filed(hubei):
    """The Hubei lifecycle carried through filing: sittings may be recorded now."""
    hubei.through_filing()
    return hubei


@pytest.fixture
def released(hubei_filed):
    """The Hubei lead college's payment on 10 assessed, released by its finance office from two sources."""
    from tests.workflows.walk import user
    from workflows import services
    from workflows.models import Payment

    agreement = hubei_filed.negotiation.agreements.get()
    lead = hubei_filed.negotiation.alliance.lead
    services.record_assessment(user("teo_1"), agreement, lead, 10, held_on=services.today())
    hubei_filed.do("release_payment", {"funding": [{"source": "own", "amount": "1000.00"},
                                                   {"source": "fiscal", "amount": "800.00"}]})
    return Payment.objects.get(agreement=agreement, college=lead)


@pytest.fixture
def jiangsu(world):
    """A Jiangsu lifecycle of X-PLC-03 (teo_2), led by college_32_1."""
    from tests.workflows.walk import Walk

    return Walk("X-PLC-03", lead="college_32_1", invite=("college_32_2", "college_32_3"))


@pytest.fixture(params=["warm", "cold"])
def temperature(request, monkeypatch, django_capture_on_commit_callbacks):
    """Run every engine step warm (this process's caches kept) and cold (every cache dropped first).

    Warm is a long-lived server process: each step's on-commit work runs as after a real commit
    (the test's transaction never commits), so the next step reuses the live workflow. Cold is what
    a freshly started process sees: specs parsed anew, no live workflow, the state restored from
    its row. After each step every instance is restored again, cold, and must agree with its
    projections and business objects (`bpmn.integrity`).
    """
    from contextlib import nullcontext

    from bpmn import caches, engine

    cold = request.param == "cold"

    def stepping(door):
        def step(*args, **kwargs):
            if cold:
                caches.drop_all()
            with nullcontext() if cold else django_capture_on_commit_callbacks(execute=True):
                result = door(*args, **kwargs)
            assert_nothing_stuck(cold)
            return result

        return step

    for name in ("start", "complete_task", "fire_due_timers", "correlate_message"):
        monkeypatch.setattr(engine, name, stepping(getattr(engine, name)))
    return request.param


def assert_nothing_stuck(cold: bool = True) -> None:
    """Every instance, restored from its row, agrees with its projections and business objects."""
    from bpmn import caches, integrity
    from bpmn.models import ProcessInstance

    if cold:
        caches.drop_all()
    found = {
        f"{i.pk} {i.business_key}": integrity.problems(i)
        for i in ProcessInstance.objects.select_related("definition")
    }
    assert not {k: v for k, v in found.items() if v}


def pytest_collection_modifyitems(config, items):
    """The long runs go first: a worker carries each beside the rest of the suite instead of after it."""
    items.sort(key=lambda item: item.get_closest_marker("long_running") is None)


@pytest.fixture
def attachment_dir(settings, tmp_path):
    """The attachments of one test in a directory of its own, to see what was stored and what was not."""
    directory = tmp_path / "attachments"
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": directory}}}
    return directory
