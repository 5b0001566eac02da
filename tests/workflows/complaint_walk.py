"""A small driver for the complaint process: lodge one against a TEO, find its open task, act as its holder."""
from bpmn.models import OpenTask, ProcessInstance
from tests.workflows.walk import user
from tryout.simulation import actor_for
from workflows import complaints, services
from workflows.models import Complaint, Ground, Organization, Person

EVIDENCE = ["鄂教函〔2026〕12号", "考点学员证言：须另购指定设备"]


def teo_of(username: str = "teo_1") -> Organization:
    return Person.objects.get(user__username=username).organization


def lodge(by: str = "college_42_1", teo: str = "teo_1", ground: str = Ground.BUNDLED_SALES, **changes) -> Complaint:
    fields = {"account": "培训评价组织要求学院购买指定设备方可参加考核。", "evidence": EVIDENCE, **changes}
    return services.lodge_complaint(user(by), teo_of(teo), ground, fields["account"], fields["evidence"],
                                    certificate=fields.get("certificate"))


def instance_of(complaint: Complaint) -> ProcessInstance:
    return ProcessInstance.objects.get(business_key=complaints.complaint_key(complaint))


def task_of(complaint: Complaint, name: str) -> OpenTask:
    found = OpenTask.objects.filter(instance=instance_of(complaint), task_name=name).first()
    assert found is not None, f"no open {name}: {list(OpenTask.objects.values_list('task_name', flat=True))}"
    return found


def do(complaint: Complaint, name: str, data: dict, actor=None):
    task = task_of(complaint, name)
    outcome = services.complete(task.task_id, actor or actor_for(task), data)
    complaint.refresh_from_db()
    return outcome


def accept(complaint: Complaint) -> None:
    do(complaint, "investigate_complaint", {"decision": "accept"})


def answer(complaint: Complaint, statement: str = "设备为自愿选购，并非考核条件。") -> None:
    do(complaint, "answer_complaint", {"statement": statement})


def decide(complaint: Complaint, measure: str, reasons: str = "经查属实", findings: str = "查明存在捆绑销售。"):
    return do(complaint, "decide_complaint", {"decision": "measure", "measure": measure, "reasons": reasons,
                                               "findings": findings})
