app_name = "fitgap"
urlpatterns: list = []
