from .views import agendas, home, meetings, referrals

app_name = "marac"

urlpatterns = home.urlpatterns + agendas.urlpatterns + referrals.urlpatterns + meetings.urlpatterns
