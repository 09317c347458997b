"""The supervision pages; each part keeps its own url module, included here."""

app_name = "supervision"

urlpatterns: list = [
]
