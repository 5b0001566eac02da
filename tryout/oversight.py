"""Drive the ministry's oversight through the services: complaints against TEOs and the TEOs' supervision.

Used by `manage.py simulate` after the lifecycles; every step goes through the same door as a person in
the browser would (the services, services.complete with the right actor).
"""
import random
from dataclasses import dataclass, field
from datetime import date

from bpmn import engine
from bpmn.models import OpenTask, ProcessInstance
from tryout.simulation import actor_for
from workflows import services, supervision, supervision_process, teo_records
from workflows.models import Certificate, Ground, Measure, Organization, Person, Role

COMPLAINANTS = (Role.COLLEGE, Role.REVIEWER, Role.STUDENT)
# What the ministry decides on a founded complaint, lighter measures far more often than the cards.
MEASURES = ((Measure.TALK, 5), (Measure.WARNING, 3), (Measure.NOTICE, 2), (Measure.RECTIFICATION, 3),
            (Measure.LIMIT_SCALE, 1), (Measure.REDUCED_FUNDS, 1), (Measure.YELLOW_CARD, 1))


@dataclass
class OversightTally:
    complaints: int = 0
    supervised: int = 0
    reports: int = 0
    tasks: int = 0
    outcomes: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)

    def count(self, table: dict, key: str) -> None:
        table[key] = table.get(key, 0) + 1


class Oversight:
    def __init__(self, rng: random.Random, tally: OversightTally, on_step=None):
        self.rng, self.tally, self.on_step = rng, tally, on_step

    # -- supervision: each TEO's pilot year, its training start read on September 10 -------------------

    def supervise(self) -> int:
        """Supervise every TEO for the latest pilot year whose training start (September 10) has passed.

        About half the TEOs trained teachers in 湖北省 on September 1; the others are proposed for a yellow
        card, which the ministry mostly shows. The months whose report has closed are recorded as missed
        and the open one is reported; a card's follow-up waits its 30 days, which a run does not.
        """
        today = services.today()
        year = today.year if today >= supervision.training_start_deadline(today.year) else today.year - 1
        hubei = supervision.focus_province()
        for teo in supervision.active_teos():
            if self.rng.random() < 0.5:
                person = Person.objects.filter(organization=teo, role=Role.TEO).select_related("user").first()
                teo_records.record_training_session(person.user, hubei.pk, date(year, 9, 1), date(year, 9, 3),
                                                    self.rng.randint(20, 80))
        self.tally.supervised += len(supervision_process.start_supervision_for_all(year))
        for _ in range(20):
            engine.fire_due_timers()
            if not self.settle((supervision_process.PROCESS_ID,)):
                break
        return year

    def data_report_progress(self, task):
        sittings = self.rng.randint(1, 6)
        assessed = sittings * self.rng.randint(10, 60)
        self.tally.reports += 1
        return {"training_sessions": self.rng.randint(0, 3), "sittings": sittings, "assessed": assessed,
                "certified": self.rng.randint(0, assessed), "note": "按计划推进。"}

    def data_decide_yellow_card(self, task):
        if self.rng.random() < 0.8:
            self.tally.count(self.tally.measures, str(Measure.YELLOW_CARD))
            return {"decision": "show", "reasons": "9月上旬仍未在全国及湖北启动师资培训。"}
        self.tally.count(self.tally.outcomes, "yellow card declined")
        return {"decision": "decline", "reasons": "已提交补充培训计划，暂不处理。"}

    def data_decide_delisting(self, task):
        self.tally.count(self.tally.measures, str(Measure.DELISTING))
        return {"decision": "delist", "reasons": "黄牌警告后仍未及时跟进。"}

    # -- complaints: lodged by a college, a province or a student; investigated and decided --------

    def lodge_complaints(self, n: int) -> None:
        people = list(Person.objects.filter(role__in=COMPLAINANTS).select_related("user"))
        for _ in range(n):
            teos = list(supervision.active_teos())
            if not teos:
                return
            teo = self.rng.choice(teos)
            ground = self.rng.choice(Ground.values)
            certificate = Certificate.objects.filter(teo=teo).order_by("code").first()
            services.lodge_complaint(self.rng.choice(people).user, teo, ground, "培训评价组织要求院校采购指定设备。",
                                     ["通知文件 2020-09-01", "院校教务处记录"], certificate)
            self.tally.complaints += 1

    def settle(self, process_ids=("complaint",)) -> int:
        """Take every open task of the oversight processes until none is left; return how many were taken."""
        taken = 0
        for _ in range(200):
            tasks = list(OpenTask.objects.filter(instance__definition__process_id__in=process_ids,
                                                 instance__status=ProcessInstance.Status.RUNNING).order_by("pk"))
            if not tasks:
                return taken
            for task in tasks:
                data = getattr(self, f"data_{task.task_name}")(task)
                services.complete(task.task_id, actor_for(task), data)
                self.tally.tasks += 1
                taken += 1
                if self.on_step:
                    self.on_step()

    def data_investigate_complaint(self, task):
        if self.rng.random() < 0.15:
            self.tally.count(self.tally.outcomes, "dismissed as unfounded")
            return {"decision": "dismiss", "findings": "经核查，投诉事项与事实不符。"}
        return {"decision": "accept", "findings": "投诉材料齐全，予以受理。"}

    def data_answer_complaint(self, task):
        return {"statement": "设备为推荐而非强制采购，已向院校说明。"}

    def data_decide_complaint(self, task):
        if self.rng.random() < 0.2:
            self.tally.count(self.tally.outcomes, "dismissed after investigation")
            return {"decision": "dismiss", "findings": "调查未发现违规。"}
        teo = Organization.objects.get(pk=task.data["teo_id"])
        kinds = [(kind, weight) for kind, weight in MEASURES
                 if not (kind == Measure.YELLOW_CARD and supervision.standing_of(teo).state != "active")]
        if supervision.is_delisted(teo):
            self.tally.count(self.tally.outcomes, "dismissed after investigation")
            return {"decision": "dismiss", "findings": "该机构已摘牌退出试点。"}
        kind = self.rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        self.tally.count(self.tally.outcomes, "measure")
        self.tally.count(self.tally.measures, str(kind))
        return {"decision": "measure", "findings": "查实存在捆绑销售倾向。", "measure": kind,
                "reasons": "责令整改并按月报告整改情况。"}
