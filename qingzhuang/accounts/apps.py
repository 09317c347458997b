from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qingzhuang.accounts"
    label = "accounts"
    verbose_name = "账号与登录"

    def ready(self) -> None:
        from qingzhuang.accounts import signals  # noqa: F401  (connects the receivers)
