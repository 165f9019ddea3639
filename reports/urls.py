from .views import dashboard

app_name = "reports"

urlpatterns = dashboard.urlpatterns
