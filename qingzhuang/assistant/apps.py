from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "qingzhuang.assistant"
    label = "assistant"
    verbose_name = "AI社工助手"
