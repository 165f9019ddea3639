"""(filled in by the agenda work)."""

urlpatterns: list = []
