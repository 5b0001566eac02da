from django.apps import AppConfig


class WebappConfig(AppConfig):
    name = "webapp"
    verbose_name = "1+X 证书费用协商 Web"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_save

        from api.tokens import note_password_change, revoke_tokens_on_password_change
        from bpmn.audit import keep_secret

        # A new password revokes the account's API tokens, as it ends its other sessions.
        User = get_user_model()
        pre_save.connect(note_password_change, sender=User, dispatch_uid="webapp.note_password_change")
        post_save.connect(revoke_tokens_on_password_change, sender=User,
                          dispatch_uid="webapp.revoke_tokens_on_password_change")
        # The admin's audit shows that a password or a token changed, never what it holds.
        keep_secret(User._meta.label, "password")
        keep_secret("knox.AuthToken", "digest", "token_key")
