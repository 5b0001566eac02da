import pytest


@pytest.fixture
def deployed(db):
    from bpmn import engine

    return engine.deploy()


@pytest.fixture
def world(deployed):
    from workflows.demo import load_demo

    return load_demo()
