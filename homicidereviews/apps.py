from django.apps import AppConfig


class HomicideReviewsConfig(AppConfig):
    name = "homicidereviews"
    verbose_name = "Domestic homicide reviews"
