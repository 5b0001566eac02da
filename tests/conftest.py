import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The demo world has ~20 accounts; PBKDF2 at production strength would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def deployed(db):
    from bpmn import engine

    return engine.deploy()


@pytest.fixture
def world(deployed):
    from workflows.demo import load_demo

    return load_demo()


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    # `make` compiles them first; this keeps a bare `pytest` run honest about the Chinese pages.
    from django.core.management import call_command

    call_command("compile_catalogues", verbosity=0)


@pytest.fixture
def hubei(world):
    """A Hubei lifecycle of X-WEB-01 (teo_1), led by college_42_1 inviting its two neighbours."""
    from tests.workflows.walk import Walk

    return Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3"))


@pytest.fixture
def jiangsu(world):
    """A Jiangsu lifecycle of X-PLC-03 (teo_2), led by college_32_1."""
    from tests.workflows.walk import Walk

    return Walk("X-PLC-03", lead="college_32_1", invite=("college_32_2", "college_32_3"))
