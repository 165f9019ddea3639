from .apis import assessments, rara

urlpatterns = assessments.urlpatterns + rara.urlpatterns
