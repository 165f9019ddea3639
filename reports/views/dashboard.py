"""(filled in by the trends work)."""

urlpatterns: list = []
