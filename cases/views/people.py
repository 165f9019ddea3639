"""(filled in by the people work)."""

urlpatterns: list = []
