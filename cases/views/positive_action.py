"""(filled in by the positive_action work)."""

urlpatterns: list = []
