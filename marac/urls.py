from .views import agendas

app_name = "marac"

urlpatterns = agendas.urlpatterns
