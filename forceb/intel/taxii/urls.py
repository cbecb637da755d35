"""TAXII 2.1 under /taxii2/: discovery, one API root, its status and collection resources.

Every address under /taxii2/ answers as TAXII, including the ones that do not exist (a TAXII
error object with 404, not the site's HTML page).
"""

from django.urls import path, re_path

from . import views

app_name = "taxii"

urlpatterns = [
    path("", views.discovery, name="discovery"),
    path("<str:api_root>/", views.api_root, name="api-root"),
    path("<str:api_root>/status/<str:status_id>/", views.status, name="status"),
    path("<str:api_root>/collections/", views.collections, name="collections"),
    path("<str:api_root>/collections/<str:collection_id>/", views.collection, name="collection"),
    path("<str:api_root>/collections/<str:collection_id>/manifest/", views.manifest, name="manifest"),
    path("<str:api_root>/collections/<str:collection_id>/objects/", views.objects, name="objects"),
    path("<str:api_root>/collections/<str:collection_id>/objects/<str:object_id>/", views.object_detail,
         name="object"),
    path("<str:api_root>/collections/<str:collection_id>/objects/<str:object_id>/versions/", views.versions,
         name="versions"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]
