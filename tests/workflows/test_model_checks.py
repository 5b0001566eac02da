"""The models speak of the domain: their lanes are the domain's lanes, every mode has a cap."""
from bpmn import parser
from workflows import checks
from workflows.roles import AssessmentMode


def test_the_committed_models_pass_the_domain_checks():
    assert checks.check_models_speak_of_the_domain(None) == []
    assert checks.modes_with_a_cap(parser.read_model_files()) == set(AssessmentMode.values)


def test_a_lane_the_domain_does_not_know_is_reported_with_its_file(monkeypatch):
    sources = parser.read_model_files()
    sources["payment.bpmn"] = sources["payment.bpmn"].replace('name="finance"', 'name="bursar"')
    monkeypatch.setattr(parser, "read_model_files", lambda directory=None: sources)
    found = checks.check_models_speak_of_the_domain(None)
    assert [(e.id, e.msg) for e in found] == [
        ("workflows.E001", "payment.bpmn: lane 'bursar' is no lane of workflows.roles.Lane")]


def test_a_mode_without_a_cap_is_reported(monkeypatch):
    sources = parser.read_model_files()
    table = "decisions/assessment_fee_cap.dmn"
    sources[table] = sources[table].replace('<text>"computer"</text>', '<text>"online"</text>')
    monkeypatch.setattr(parser, "read_model_files", lambda directory=None: sources)
    found = checks.check_models_speak_of_the_domain(None)
    assert [(e.id, e.msg) for e in found] == [
        ("workflows.E002", "assessment mode 'computer' has no cap in the decision table")]
