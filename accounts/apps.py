from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, roles, passwords and JWT authentication (contract sections 2 and 3)."""

    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .services import user_record_login

        # Session logins (the Django admin) stamp last_login_at like API logins do.
        user_logged_in.connect(
            lambda sender, request, user, **kwargs: user_record_login(user=user),
            dispatch_uid="accounts.record_admin_login",
            weak=False,
        )
