from .views import chronology, data_returns, recommendations, reviews

app_name = "homicidereviews"

urlpatterns = (
    recommendations.urlpatterns
    + chronology.urlpatterns
    + data_returns.urlpatterns
    + reviews.urlpatterns
)
