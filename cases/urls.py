from .views import incidents, people, positive_action

app_name = "cases"

urlpatterns = incidents.urlpatterns + people.urlpatterns + positive_action.urlpatterns
