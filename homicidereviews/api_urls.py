from .apis import chronology, reviews

urlpatterns = reviews.urlpatterns + chronology.urlpatterns
