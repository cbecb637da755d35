"""Routes of the inventory's web pages.

Included by ``forceb/web/urls.py`` as a plain list, so every name lives in the ``web:``
namespace (``web:service-list``, ``web:service-detail``...), like the rest of the UI.
"""

from django.urls import path

from . import views

urlpatterns = []
for route, segment, pages in (
    ("service", "services", (views.ServiceList, views.ServiceDetail, views.ServiceCreate, views.ServiceEdit,
                             views.ServiceDelete, views.ServiceWhy)),
    ("system", "systems", (views.SystemList, views.SystemDetail, views.SystemCreate, views.SystemEdit,
                           views.SystemDelete, views.SystemWhy)),
    ("relationship", "relationships", (views.RelationshipList, views.RelationshipDetail, views.RelationshipCreate,
                                       views.RelationshipEdit, views.RelationshipDelete, views.RelationshipWhy)),
    ("dependency", "dependencies", (views.DependencyList, views.DependencyDetail, views.DependencyCreate,
                                    views.DependencyEdit, views.DependencyDelete, views.DependencyWhy)),
    ("supplier", "suppliers", (views.SupplierList, views.SupplierDetail, views.SupplierCreate, views.SupplierEdit,
                               views.SupplierDelete, None)),
):
    listing, detail, create, edit, delete, why = pages
    urlpatterns += [
        path(f"{segment}/", listing.as_view(), name=f"{route}-list"),
        path(f"{segment}/new/", create.as_view(), name=f"{route}-create"),
        path(f"{segment}/<int:pk>/", detail.as_view(), name=f"{route}-detail"),
        path(f"{segment}/<int:pk>/edit/", edit.as_view(), name=f"{route}-edit"),
        path(f"{segment}/<int:pk>/delete/", delete.as_view(), name=f"{route}-delete"),
    ]
    if why is not None:
        urlpatterns.append(path(f"{segment}/<int:pk>/why/", why.as_view(), name=f"{route}-why"))

urlpatterns += [
    path("shares/<int:pk>/withdraw/", views.ShareWithdraw.as_view(), name="share-withdraw"),
    path("import-export/", views.Transfer.as_view(), name="inventory-transfer"),
    path("export/", views.Export.as_view(), name="inventory-export"),
]
