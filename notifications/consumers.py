"""The WebSocket at /ws/notifications/: a signed-in person's own events, pushed and caught up.

The groups come from the session's user alone (their user, and their role's in their organization,
their province's reviewers or the ministry); a client can neither name nor join any other group.
On (re)connect the page sends {"type": "since", "after": <last id it saw>} and gets what it
missed from the database.
"""
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications import relay
from notifications.delivery import role_group, user_group
from notifications.models import Notification
from workflows.models import Person, Role
from workflows.permissions import PROVINCE_DIVISIONS

CATCH_UP_LIMIT = 200
UNAUTHENTICATED = 4401


def groups_of(user) -> list[str]:
    """The user's own group and their role's: in their organization, their province (a reviewer) or the ministry."""
    groups = [user_group(user.pk)]
    person = Person.objects.select_related("organization").filter(user=user).first()
    if person is None:
        return groups
    if person.role == Role.EXPERT:  # their own group is the one hints reach them in
        return groups
    if person.role in PROVINCE_DIVISIONS:
        return [*groups, role_group(person.role, person.organization.province_id)] if (
            person.organization.province_id) else groups
    return [*groups, role_group(person.role, person.organization_id)]


def missed(user_id: int, after: int) -> tuple[list[dict], int]:
    rows = Notification.objects.filter(recipient_id=user_id, pk__gt=after).order_by("pk")[:CATCH_UP_LIMIT]
    unread = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
    return [row.as_message() for row in rows], unread


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.joined = await database_sync_to_async(groups_of)(user)
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await relay.ensure_running(self.channel_layer)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "since":
            await self.send_json({"type": "error", "rule": "unknown_request",
                                  "message": "只支持 since 请求 / only 'since' requests are understood"})
            return
        after = content.get("after")
        after = after if isinstance(after, int) and after >= 0 else 0
        messages, unread = await database_sync_to_async(missed)(self.user_id, after)
        if messages:
            await self.send_json({"type": "notifications", "replayed": True, "items": messages})
        await self.send_json({"type": "caught_up", "unread": unread,
                              "last": messages[-1]["id"] if messages else after})

    async def notify(self, event):
        await self.send_json({"type": "notifications", "replayed": False, "items": event["items"],
                              "committed_at": event.get("committed_at")})

    async def changed(self, event):
        await self.send_json({"type": "changed", "object": event["object"]})
