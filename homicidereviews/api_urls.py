from .apis import chronology, data_returns, reviews

urlpatterns = reviews.urlpatterns + chronology.urlpatterns + data_returns.urlpatterns
