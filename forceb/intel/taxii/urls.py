app_name = "taxii"

urlpatterns = []
