from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "qingzhuang.assessment"
    label = "assessment"
    verbose_name = "无感考核"
