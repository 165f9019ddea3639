from .apis import incidents, people, positive_action

urlpatterns = incidents.urlpatterns + people.urlpatterns + positive_action.urlpatterns
