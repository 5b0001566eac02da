"""From the domain's events to notifications: the rows, and the push once the change commits.

Listeners run inside the transaction of the change (the domain's events, `workflows.events`, and
the engine's `instance_advanced` signal for tasks opened): they write Notification rows and queue
them in the transaction's outbox, pushed by `transaction.on_commit`, so a rolled-back change
writes nothing and pushes nothing.
"""
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

from bpmn import names
from bpmn.models import OpenTask
from notifications import delivery
from notifications.audience import Context, recipients
from notifications.models import Delivery, Notification
from workflows.events import DomainEvent, negotiation_of_instance
from workflows.models import BaselineReview, Division, Ground, Measure
from workflows.money import yuan
from workflows.permissions import display_name
from workflows.roles import PERSONAL_LANES

ANSWERS = {"accept": pgettext_lazy("invitation answer", "accepted"),
           "decline": pgettext_lazy("invitation answer", "declined")}

TITLES = {
    "task_assigned": ("新待办：{task}", "New task: {task}"),
    "invitation_answered": ("{actor} 已答复联盟邀请：{what}", "{actor} answered the alliance invitation: {what}"),
    "offer_countered": ("对方还价 {fee}：{subject}", "Counter-offer of {fee}: {subject}"),
    "offer_accepted": ("报价已被接受：{subject}", "Offer accepted: {subject}"),
    "offer_rejected": ("报价被拒绝，转省厅调解：{subject}", "Offer rejected, to provincial mediation: {subject}"),
    "deadline_passed": ("期限已到：{subject}", "A deadline passed: {subject}"),
    "fee_mediated": ("省厅调解确定费用：{subject}", "Fee set by provincial mediation: {subject}"),
    "mediation_failed": ("调解未达成：{subject}", "Mediation failed: {subject}"),
    "baseline_verified": ("费用基线已核定：{subject}", "Baseline verified: {subject}"),
    "baseline_returned": ("费用被退回重新协商：{subject}", "Fee returned for renegotiation: {subject}"),
    "baseline_rejected": ("费用不予核定：{subject}", "Fee rejected: {subject}"),
    "baseline_superseded": ("费用基线已被替代，协议重新开启：{subject}",
                            "Baseline superseded, agreements re-opened: {subject}"),
    "baseline_reviewed": ("{division}会签意见：{decision}（{subject}）", "{division} decided: {decision} ({subject})"),
    "expert_opinion_requested": ("{division}已请专家加签：{subject}",
                                 "{division} asked an expert for an opinion: {subject}"),
    "expert_opinion_given": ("专家已出具加签意见：{subject}", "The expert gave the opinion asked for: {subject}"),
    "agreement_signed": ("对方已签署协议：{subject}", "The other party signed the agreement: {subject}"),
    "agreement_filed": ("协议已备案：{subject}", "Agreement filed: {subject}"),
    "assessment_held": ("考核已组织，请拨付：{subject}", "Assessment held, payment due: {subject}"),
    "payment_released": ("费用已拨付：{subject}", "Payment released: {subject}"),
    "task_due_soon": ("待办即将到期：{task}", "Task due soon: {task}"),
    "task_overdue": ("待办已逾期：{task}", "Task overdue: {task}"),
    "paper_order_placed": ("新的纸质证书订单 {price}：{serial}", "New paper certificate order of {price}: {serial}"),
    "paper_order_dispatched": ("纸质证书已寄出，快递单号 {tracking_no}：{serial}",
                               "Paper certificate dispatched, tracking number {tracking_no}: {serial}"),
    "paper_order_delivered": ("纸质证书已送达：{serial}", "Paper certificate delivered: {serial}"),
    "paper_order_cancelled": ("纸质证书订单已取消，退款 {price}：{serial}{reason}",
                              "Paper certificate order cancelled, {price} refunded: {serial}{reason}"),
    "task_taken_over": ("{actor} 接手了你认领的待办：{task}（原因：{reason}）",
                        "{actor} took over the task you had claimed: {task} (reason: {reason})"),
    "progress_reported": ("{teo} 已报送 {month} 月进展{late}", "{teo} reported its progress for month {month}{late}"),
    "progress_report_missed": ("{teo} 未报送 {month} 月进展", "{teo} did not report its progress for month {month}"),
    "yellow_card_proposed": ("{teo} 9月上旬未在全国及湖北启动师资培训，已提请黄牌警告",
                             "{teo} is proposed for a yellow card: teacher training not started nationally and in "
                             "Hubei by early September"),
    "yellow_card_shown": ("{teo} 被给予黄牌警告：{reasons}", "{teo} was shown a yellow card: {reasons}"),
    "delisting_proposed": ("{teo} 黄牌警告后仍未及时跟进，已提请摘牌",
                           "{teo} is proposed for delisting: no follow-up after the yellow card"),
    "teo_delisted": ("{teo} 已被摘牌：{reasons}", "{teo} was delisted: {reasons}"),
    "measure_declined": ("对 {teo} 不予{measure}：{reasons}", "No {measure} for {teo}: {reasons}"),
    "complaint_lodged": ("收到对本机构的投诉（{ground}），教育部将受理调查：{teo}",
                         "A complaint ({ground}) was lodged against {teo}; the ministry will investigate"),
    "complaint_investigated": ("投诉已受理调查（{ground}）：{teo}",
                               "Your complaint ({ground}) is under investigation: {teo}"),
    "complaint_answered": ("被投诉机构已申辩（{ground}）：{teo}", "The TEO stated its side ({ground}): {teo}"),
    "complaint_unanswered": ("申辩期限已过，教育部将直接作出处理（{ground}）：{teo}",
                             "The deadline to answer passed; the ministry decides without a statement "
                             "({ground}): {teo}"),
    "complaint_dismissed": ("投诉已驳回（{ground}）：{teo}", "Complaint dismissed ({ground}): {teo}"),
    "measure_decided": ("投诉处理决定：{measure}（{ground}）：{teo}",
                        "Complaint decided, measure {measure} ({ground}): {teo}"),
    "subsidy_released": ("补助资金已拨付：{title}，本校 {amount}",
                         "Subsidy released: {title}, {amount} to your college"),
}


def notify(event: str, ctx: Context, link: str = "", object_type: str = "", object_id: str = "",
           **words) -> list[Notification]:
    """Write one row per recipient of the event, with its deliveries, and push them once the transaction commits."""
    users = recipients(event, ctx)
    if not users:
        return []
    negotiation = ctx.negotiation
    subject = f"{negotiation.alliance.name} × {negotiation.certificate.code}" if negotiation else ""
    zh, en = TITLES[event]
    words = {"subject": subject, **words}
    words_zh, words_en = _in_language(words, "zh-hans"), _in_language(words, "en")
    if negotiation is not None and not object_type:
        object_type, object_id = "negotiation", str(negotiation.pk)
        link = link or f"/negotiations/{negotiation.pk}/"
    now = timezone.now()
    rows = Notification.objects.bulk_create([
        Notification(recipient_id=user_id, event=event, title_zh=zh.format(**words_zh)[:300],
                     title_en=en.format(**words_en)[:300], object_type=object_type, object_id=object_id,
                     link=link, created_at=now)
        for user_id in sorted(users)
    ])
    connection = transaction.get_connection()
    outbox = _outbox(connection)
    Delivery.objects.bulk_create(_deliveries(rows, outbox.claim, now))
    outbox.add(rows, negotiation)
    transaction.on_commit(lambda: outbox.flush(connection))  # at once, outside a transaction
    return rows


def _deliveries(rows: list[Notification], claim, now) -> list[Delivery]:
    """The outbox entries of new rows: a push each, and an e-mail or a digest line as each recipient chose.

    The pushes are born claimed by the transaction's outbox, which pushes them once it commits: a
    relay polling between the commit and that push finds none of them unclaimed.
    """
    entries = [Delivery(notification=row, channel=Delivery.Channel.PUSH, claim=claim, claimed_at=now, attempts=1)
               for row in rows]
    if getattr(settings, "NOTIFICATIONS_EMAIL", False):
        channels = delivery.email_channels({row.recipient_id for row in rows})
        entries += [Delivery(notification=row, channel=channels[row.recipient_id])
                    for row in rows if row.recipient_id in channels]
    return entries


def _in_language(words: dict, language: str) -> dict:
    """Each title speaks one language: a task's label (a model's English name) and an answer are translated."""
    with translation.override(language):
        return {key: names.shown(value) if key == "task" else str(value) for key, value in words.items()}


class _Outbox:
    """The notifications of one transaction, pushed together once it commits: one frame per person.

    Held on the connection (`OUTBOX`) and taken off it by the first of its on_commit callbacks;
    one left behind by a rolled-back transaction is pushed with the next, less the rows that are gone.
    """

    def __init__(self):
        self.claim = uuid.uuid4()  # the token its push entries are written with
        self.rows: list[Notification] = []
        self.negotiations: dict[int, object] = {}

    def add(self, rows, negotiation) -> None:
        self.rows.extend(rows)
        if negotiation is not None:
            self.negotiations[negotiation.pk] = negotiation

    def flush(self, connection) -> None:
        if getattr(connection, OUTBOX, None) is not self:
            return  # pushed by an earlier callback of the same commit
        delattr(connection, OUTBOX)
        # Rows of a rolled-back transaction or savepoint are gone (on SQLite their id may be another row's now).
        written = {(row.pk, row.created_at) for row in self.rows}
        kept = set(Notification.objects.filter(pk__in=[pk for pk, _ in written]).values_list("pk", "created_at"))
        rows = [row for row in self.rows if (row.pk, row.created_at) in kept]
        delivery.deliver(rows, list(self.negotiations.values()) if rows else [], self.claim)


OUTBOX = "notifications_outbox"


def _outbox(connection) -> _Outbox:
    """This transaction's outbox; the first of its on_commit callbacks pushes it."""
    outbox = getattr(connection, OUTBOX, None)
    if outbox is None:
        outbox = _Outbox()
        setattr(connection, OUTBOX, outbox)
    return outbox


def on_event(sender, event: DomainEvent, **kwargs) -> None:
    """Notify the audiences of a domain event (`workflows.events`)."""
    HANDLERS.get(event.name, _on_negotiation_event)(event)


def _on_negotiation_event(event: DomainEvent) -> None:
    ctx = Context(negotiation=event.negotiation, actor_id=event.actor_id, college_id=event.college_id)
    words = {}
    if event.name == "invitation_answered":
        words = {"actor": display_name(event.actor), "what": ANSWERS.get(event.decision, "")}
    if event.name == "offer_countered":
        words = {"fee": yuan(event.fee)}
    notify(event.name, ctx, **words)


def on_tasks_opened(instance, opened: list[OpenTask]) -> None:
    negotiation = negotiation_of_instance(instance)
    for task in opened:
        ctx = Context(negotiation=negotiation, task_organization_id=task.organization_id, task_lane=task.role,
                      task_person_id=task.claimed_by_id if task.role in PERSONAL_LANES else None)
        notify("task_assigned", ctx, link=f"/tasks/{task.task_id}/", task=task.label)


def _on_task_taken_over(event: DomainEvent) -> None:
    """A colleague took over a claimed task: its previous holder is told who, and why."""
    ctx = Context(negotiation=event.negotiation, actor_id=event.actor_id, previous_holder_id=event.previous_holder_id)
    notify("task_taken_over", ctx, link=f"/tasks/{event.task_id}/", actor=display_name(event.actor),
           task=event.task_label, reason=event.reason)


def _on_review(event: DomainEvent) -> None:
    """A division decided, asked an expert, or heard back (会签, 加签): told to the division concerned."""
    ctx = Context(negotiation=event.negotiation, actor_id=event.actor_id, division=event.division)
    notify(event.name, ctx, division=Division(event.division).label,
           decision=BaselineReview.Decision(event.decision).label if event.decision else "")


def _on_paper_order(event: DomainEvent) -> None:
    """A paper order changed: told to the student or to the certificate's TEO, never to the negotiation's parties."""
    order = event.order
    teo_id = order.certificate.sitting.agreement.negotiation.certificate.teo_id
    ctx = Context(actor_id=event.actor_id, order_student_id=order.ordered_by_id, order_teo_id=teo_id)
    to_student = event.name == "paper_order_dispatched" or (
        event.name != "paper_order_placed" and ctx.actor_organization_id == teo_id)
    notify(event.name, ctx, link="/certificates/" if to_student else "/paper-orders/", object_type="paper_order",
           object_id=str(order.pk), serial=order.certificate.serial_no, price=f"¥{order.price:.2f}",
           tracking_no=order.tracking_no, reason=f" — {event.reason}" if event.reason else "")


def _on_supervision(event: DomainEvent) -> None:
    """A TEO's supervision moved (按月调度, 黄牌警告, 摘牌): told to the audiences its name lists."""
    from workflows.models import Measure

    teo = event.teo
    ctx = Context(actor_id=event.actor_id, teo_id=teo.pk)
    measure = event.measure
    late = pgettext_lazy("progress report", " (late)") if event.decision == "late" else ""
    notify(event.name, ctx, link="/disclosure/teos/" if measure or event.name == "measure_declined" else "/tasks/",
           object_type="teo", object_id=str(teo.pk), teo=teo.name, month=event.month or "", late=late,
           reasons=measure.reasons if measure else event.reason,
           measure=Measure(event.decision).label if event.name == "measure_declined" else "")


def _on_complaint(event: DomainEvent) -> None:
    """A complaint's step: told to its TEO and its complainant, linked to the complaints page."""
    complaint = event.complaint
    ctx = Context(actor_id=event.actor_id, teo_id=complaint.teo_id, complaint_id=complaint.pk)
    measure = Measure(event.measure.kind).label if event.measure is not None else ""
    notify(event.name, ctx, link="/complaints/", object_type="complaint", object_id=str(complaint.pk),
           teo=complaint.teo.name, ground=Ground(complaint.ground).label, measure=measure)


def _on_subsidy(event: DomainEvent) -> None:
    """A province released a subsidy round: each college is told its own grant, nobody another's."""
    subsidy = event.subsidy
    for allocation in subsidy.allocations.select_related("college").order_by("pk"):
        ctx = Context(actor_id=event.actor_id, college_id=allocation.college_id)
        notify(event.name, ctx, link="/subsidies/", object_type="subsidy_round", object_id=str(subsidy.pk),
               title=subsidy.title, amount=yuan(allocation.amount))


HANDLERS = {
    "subsidy_released": _on_subsidy,
    "progress_reported": _on_supervision,
    "progress_report_missed": _on_supervision,
    "yellow_card_proposed": _on_supervision,
    "yellow_card_shown": _on_supervision,
    "delisting_proposed": _on_supervision,
    "teo_delisted": _on_supervision,
    "measure_declined": _on_supervision,
    "complaint_lodged": _on_complaint,
    "complaint_investigated": _on_complaint,
    "complaint_answered": _on_complaint,
    "complaint_unanswered": _on_complaint,
    "complaint_dismissed": _on_complaint,
    "measure_decided": _on_complaint,
    "baseline_reviewed": _on_review,
    "expert_opinion_requested": _on_review,
    "expert_opinion_given": _on_review,
    "task_taken_over": _on_task_taken_over,
    "paper_order_placed": _on_paper_order,
    "paper_order_dispatched": _on_paper_order,
    "paper_order_delivered": _on_paper_order,
    "paper_order_cancelled": _on_paper_order,
}
