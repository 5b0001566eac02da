"""The alliance's minimum membership is one number, the deployed model's, said the same everywhere."""
import shutil

import pytest
from django.utils import translation

from bpmn import caches, engine, parser
from bpmn.errors import ModelValidationError
from workflows import formation
from workflows.errors import RuleViolation
from workflows.models import Alliance

from .walk import Walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]


def _formation_source(condition: str) -> dict[str, str]:
    sources = parser.read_model_files()
    name = "alliance_formation.bpmn"
    sources[name] = sources[name].replace("accepted_count &gt;= 2", condition)
    return sources


def _deploy_with(tmp_path, condition: str):
    directory = tmp_path / "processes"
    shutil.copytree(parser.PROCESS_DIR, directory)
    model = directory / "alliance_formation.bpmn"
    model.write_text(model.read_text(encoding="utf-8").replace("accepted_count &gt;= 2", condition), encoding="utf-8")
    return engine.deploy(directory)


def test_the_minimum_is_the_number_in_the_deployed_gateway_and_the_lead_counts(world):
    assert formation.minimum_members() == 2
    walk = Walk()
    assert formation.minimum_for_instance(walk.instance) == 2
    walk.form(accept=(True, False))  # the lead and one invitee: two accepted, as count_accepted counts
    assert walk.negotiation.alliance.state == Alliance.State.FORMED


@pytest.mark.parametrize("condition, minimum", [("accepted_count &gt;= 3", 3), ("accepted_count &gt; 2", 3),
                                                 ("accepted_count&gt;=1", 1)])
def test_the_minimum_follows_whatever_number_the_model_states(condition, minimum):
    assert formation.minimum_in(_formation_source(condition)) == minimum


@pytest.mark.parametrize("condition", ["accepted_count == 2", "2 &lt;= accepted_count", "accepted_count &gt;= 2.5",
                                       "responses &gt;= 2", "accepted_count &gt;= two"])
def test_a_condition_that_is_not_a_plain_minimum_is_refused_naming_the_gateway(condition):
    with pytest.raises(ModelValidationError, match="enough_members"):
        formation.minimum_in(_formation_source(condition))


def test_the_minimum_is_parsed_once_per_definition_and_forgotten_with_every_cache(world, monkeypatch):
    parsed = []
    real = formation.minimum_in
    monkeypatch.setattr(formation, "minimum_in", lambda sources: parsed.append(1) or real(sources))
    definition = engine.latest_definition("certificate_lifecycle")
    caches.drop_all()
    assert formation.minimum_members(definition) == formation.minimum_members(definition) == 2
    assert len(parsed) == 1
    caches.drop_all()
    formation.minimum_members(definition)
    assert len(parsed) == 2


def test_a_model_asking_three_is_said_and_enforced_as_three(world, tmp_path):
    _deploy_with(tmp_path, "accepted_count &gt;= 3")
    walk = Walk()
    assert formation.minimum_for_instance(walk.instance) == 3
    with pytest.raises(RuleViolation) as refusal:
        walk.do("invite_members", {"college_ids": [walk.invitees[0].pk]})
    assert refusal.value.rule == "invite_enough_colleges"
    assert "须有 3 所院校接受邀请（含牵头院校）" in refusal.value.message
    with translation.override("en"):
        assert "invite at least 2 pilot college(s)" in refusal.value.message
    walk.form(accept=(True, False))  # two of three: the model's gateway dissolves it
    assert walk.negotiation.alliance.state == Alliance.State.DISSOLVED


def test_registering_with_too_few_is_refused_with_the_models_number(world):
    walk = Walk()
    walk.do("invite_members", {"college_ids": [c.pk for c in walk.invitees]})
    alliance = Alliance.objects.get(pk=walk.negotiation.alliance_id)
    with pytest.raises(RuleViolation) as refusal:
        alliance.register("LM-TEST", None)
    assert refusal.value.rule == "alliance_min_members"
    assert refusal.value.message.startswith("联盟须至少 2 所院校接受邀请（含牵头院校），现有 1 所")


def test_inviting_nobody_is_refused_with_the_models_numbers(world):
    walk = Walk()
    with pytest.raises(RuleViolation) as refusal:
        walk.do("invite_members", {"college_ids": []})
    assert refusal.value.rule == "invite_enough_colleges"
    assert "联盟须有 2 所院校接受邀请（含牵头院校）方可备案，须至少邀请 1 所本省试点院校" in refusal.value.message
