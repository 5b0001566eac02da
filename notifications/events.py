"""From a committed change to notifications: which event it is, the rows, and the push.

Listeners run inside the transaction of the change (the engine's audit rows and its
`instance_advanced` signal): they write Notification rows and register the push with
`transaction.on_commit`, so a rolled-back change writes nothing and pushes nothing.
"""
import os
import socket
import threading
import uuid
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

from bpmn import names
from bpmn.models import AuditEntry, OpenTask
from notifications import delivery
from notifications.audience import Context, recipients
from notifications.models import Notification
from workflows.models import Negotiation, PaperCertificateOrder
from workflows.money import yuan
from workflows.permissions import display_name
from workflows.services import negotiation_id_of_key

# Identifies this process's rows, so the database relay skips what it has pushed itself.
ORIGIN = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

# (task, decision) -> event; None matches a task without a decision.
TASK_EVENTS = {
    ("respond_invitation", "accept"): "invitation_answered",
    ("respond_invitation", "decline"): "invitation_answered",
    ("alliance_responds", "counter"): "offer_countered",
    ("teo_responds", "counter"): "offer_countered",
    ("alliance_responds", "accept"): "offer_accepted",
    ("teo_responds", "accept"): "offer_accepted",
    ("alliance_responds", "reject"): "offer_rejected",
    ("teo_responds", "reject"): "offer_rejected",
    ("mediate", "agreed"): "fee_mediated",
    ("mediate", "failed"): "mediation_failed",
    ("verify_baseline", "verify"): "baseline_verified",
    ("verify_baseline", "return"): "baseline_returned",
    ("verify_baseline", "reject"): "baseline_rejected",
    ("sign_alliance", None): "agreement_signed",
    ("sign_teo", None): "agreement_signed",
    ("acknowledge_filing", None): "agreement_filed",
    ("release_payment", None): "payment_released",
}

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
}


def negotiation_of(instance) -> Negotiation | None:
    """The negotiation a lifecycle instance is about; read once per instance object (one step)."""
    if instance is None:
        return None
    if not hasattr(instance, "_notified_negotiation"):
        pk = negotiation_id_of_key(instance.business_key)
        instance._notified_negotiation = (
            Negotiation.objects.select_related("alliance", "certificate").filter(pk=pk).first() if pk else None
        )
    return instance._notified_negotiation


def notify(event: str, ctx: Context, link: str = "", object_type: str = "", object_id: str = "",
           **words) -> list[Notification]:
    """Write one row per recipient of the event and push them once the transaction commits."""
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
                     link=link, created_at=now, origin=ORIGIN)
        for user_id in sorted(users)
    ])
    _enqueue(rows, negotiation)
    return rows


def _in_language(words: dict, language: str) -> dict:
    """Each title speaks one language: a task's label (a model's English name) and an answer are translated."""
    with translation.override(language):
        return {key: names.shown(value) if key == "task" else str(value) for key, value in words.items()}


def _fee(raw) -> str:
    try:
        return yuan(Decimal(str(raw)))
    except (InvalidOperation, ValueError):
        return ""


class _Outbox:
    """The notifications of one transaction, pushed together once it commits: one frame per person."""

    def __init__(self):
        self.rows: list[Notification] = []
        self.negotiations: dict[int, Negotiation] = {}

    def add(self, rows, negotiation) -> None:
        self.rows.extend(rows)
        if negotiation is not None:
            self.negotiations[negotiation.pk] = negotiation

    def flush(self) -> None:
        # Rows written inside a savepoint that was rolled back are gone: they are not pushed.
        kept = set(Notification.objects.filter(pk__in=[row.pk for row in self.rows]).values_list("pk", flat=True))
        delivery.deliver([row for row in self.rows if row.pk in kept], list(self.negotiations.values()))


_local = threading.local()


def _enqueue(rows, negotiation) -> None:
    """Add to this transaction's outbox, registering its push with on_commit the first time."""
    connection = transaction.get_connection()
    outbox = getattr(_local, "outbox", None)
    pending = outbox is not None and any(func == outbox.flush for _, func, _ in connection.run_on_commit)
    if pending:
        outbox.add(rows, negotiation)
        return
    outbox = _local.outbox = _Outbox()
    outbox.add(rows, negotiation)
    transaction.on_commit(outbox.flush)


PAPER_ORDER_EVENTS = {"paper_order_placed", "paper_order_dispatched", "paper_order_delivered",
                      "paper_order_cancelled"}
AUDIT_EVENTS = {"baseline_superseded": "baseline_superseded", "timer_fired": "deadline_passed",
                "taken_over": "task_taken_over"}


def _event_of(entry: AuditEntry) -> str | None:
    data = entry.data or {}
    if entry.action == "completed":
        return TASK_EVENTS.get((entry.task_name, data.get("decision"))) or TASK_EVENTS.get((entry.task_name, None))
    if entry.action == "message" and data.get("message") == "assessment_held":
        return "assessment_held"
    if entry.action in PAPER_ORDER_EVENTS:
        return entry.action
    return AUDIT_EVENTS.get(entry.action)


def on_audit(entry: AuditEntry) -> None:
    """Turn an audited change into its event, if the table names one (most audit rows name none)."""
    event = _event_of(entry)
    if event is None:
        return
    if event in PAPER_ORDER_EVENTS:
        on_paper_order(entry)
        return
    if event == "task_taken_over":
        on_task_taken_over(entry)
        return
    data = entry.data or {}
    ctx = Context(negotiation=negotiation_of(entry.instance), actor_id=entry.actor_id)
    if entry.action == "completed":
        words = {"actor": display_name(entry.actor), "what": ANSWERS.get(data.get("decision"), ""),
                 "fee": _fee(data.get("fee"))}
        task = OpenTask.objects.filter(task_id=entry.task_id).first()
        if task is not None:
            ctx.college_id = task.data.get("college_id") or task.organization_id
        notify(event, ctx, **words)
        return
    if event == "assessment_held":
        ctx.college_id = (data.get("payload") or {}).get("college_id")
    notify(event, ctx)


def on_tasks_opened(instance, opened: list[OpenTask]) -> None:
    negotiation = negotiation_of(instance)
    for task in opened:
        ctx = Context(negotiation=negotiation, task_organization_id=task.organization_id, task_lane=task.role)
        notify("task_assigned", ctx, link=f"/tasks/{task.task_id}/", task=task.label)


def on_task_taken_over(entry: AuditEntry) -> None:
    """A colleague took over a claimed task: its previous holder is told who, and why."""
    data = entry.data or {}
    ctx = Context(negotiation=negotiation_of(entry.instance), actor_id=entry.actor_id,
                  previous_holder_id=data.get("previous_holder"))
    task = OpenTask.objects.filter(task_id=data.get("task_id")).first()
    notify("task_taken_over", ctx, link=f"/tasks/{data.get('task_id')}/", actor=display_name(entry.actor),
           task=task.label if task else entry.task_name, reason=data.get("reason", ""))


def on_paper_order(entry: AuditEntry) -> None:
    """A paper order changed: told to the student or to the certificate's TEO, never to the negotiation's parties."""
    data = entry.data or {}
    orders = PaperCertificateOrder.objects.select_related("certificate__sitting__agreement__negotiation__certificate")
    order = orders.filter(pk=data.get("order")).first()
    if order is None:
        return
    teo_id = order.certificate.sitting.agreement.negotiation.certificate.teo_id
    ctx = Context(actor_id=entry.actor_id, order_student_id=order.ordered_by_id, order_teo_id=teo_id)
    to_student = entry.action == "paper_order_dispatched" or (
        entry.action != "paper_order_placed" and ctx.actor_organization_id == teo_id)
    notify(entry.action, ctx, link="/certificates/" if to_student else "/paper-orders/", object_type="paper_order",
           object_id=str(order.pk), serial=order.certificate.serial_no, price=f"¥{order.price:.2f}",
           tracking_no=order.tracking_no, reason=f" — {data['reason']}" if data.get("reason") else "")
