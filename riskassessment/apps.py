from django.apps import AppConfig


class RiskAssessmentConfig(AppConfig):
    name = "riskassessment"
    verbose_name = "Risk assessment (SPECSS+ and RARA)"
