from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "publicprotection.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"
