"""Who may reach which object through routes whose URL arguments are not an owned row's ``pk``.

The isolation matrix resolves ``owned(Model)`` routes with a ``pk`` by itself. Any other route
with URL arguments (a ``pk`` of a row that is not owned, a slug, a TAXII collection id...) needs an
entry here, or the matrix fails and names it. An entry is a function ``(world, person)`` giving
``(label, URL kwargs, may the person reach it)`` triples; ``world`` is ``tests/security/world.py``
(organisations, people, rows of every owned model, shares); a fourth element, a dict of query
parameters, may be added (also for a route without URL arguments that needs a query to answer).
A reachable target must answer 200
(or, for a POST-only route, 2xx/3xx); an unreachable one 404. Register it with the decorator::

    @target("web:finding-export")
    def _finding_export(world, user):
        return [(f"sbom of {org.slug}", {"sbom_id": world.private[Sbom][org.pk].pk},
                 org.pk == user.organization_id) for org in world.orgs]
"""

from forceb.core.choices import ADMIN_ROLES, WRITER_ROLES, Role

TARGETS = {}


def target(*route_names: str):
    def register(fn):
        for name in route_names:
            TARGETS[name] = fn
        return fn

    return register


@target("api:core:organization-detail")
def _organizations(world, user):
    # The sector's directory is known to everyone on the platform (to share with).
    return [(f"organisation {o.slug}", {"pk": o.pk}, True) for o in world.orgs]


@target("api:core:user-detail")
def _people(world, user):
    def sees(other):
        if other == user or user.role == Role.PLATFORM_ADMIN:
            return True
        return user.role in ADMIN_ROLES | {Role.AUDITOR} and other.organization_id == user.organization_id

    return [(f"person {p.username}", {"pk": p.pk}, sees(p)) for p in world.people.values()]


@target("api:core:token-detail")
def _tokens(world, user):
    def sees(token):
        if token.user_id == user.pk:
            return True
        return user.role in ADMIN_ROLES and token.user.organization_id == user.organization_id

    return [(f"token of {t.user.username}", {"pk": t.pk}, sees(t)) for t in world.tokens.values()]


@target("api:core:share-detail")
def _shares(world, user):
    # A share is known to the organisations on both sides of it; a community share to everyone.
    hub_parties = {world.sector.bank.pk, world.sector.hub.pk}
    return [("bank→hub AMBER share", {"pk": world.hub_share.pk}, user.organization_id in hub_parties),
            ("community GREEN share", {"pk": world.community_share.pk}, True)]


@target("web:share-withdraw")
def _withdraw(world, user):
    # Only the organisation that made a share may withdraw it.
    return [("bank→hub AMBER share", {"pk": world.hub_share.pk},
             user.organization_id == world.hub_share.shared_by_id and user.role in WRITER_ROLES),
            ("community GREEN share", {"pk": world.community_share.pk},
             user.organization_id == world.community_share.shared_by_id and user.role in WRITER_ROLES)]


@target("api:core:audit-detail")
def _audit(world, user):
    # An organisation's trail is read by its admins and auditors; anyone reads their own entries.
    def sees(entry):
        if entry.organization_id != user.organization_id:
            return False
        return user.role in ADMIN_ROLES | {Role.AUDITOR} or entry.actor_id == user.pk

    return [(f"audit entry of {e.organization}", {"pk": e.pk}, sees(e)) for e in world.audit_of.values()]


@target("api:core:notification-detail", "api:core:notification-read")
def _notifications(world, user):
    notices = [*world.notices.values(), world.personal_notice]
    return [(f"notification {n.title!r}", {"pk": n.pk},
             n.organization_id == user.organization_id and n.user_id in (None, user.pk)) for n in notices]


@target("api:inventory:supplier-detail", "web:supplier-detail", "web:supplier-edit", "web:supplier-delete")
def _registry_supplier(world, user):
    # The supplier registry is sector-wide; who may change it is the route's roles(...) policy.
    return [("registry supplier", {"pk": world.supplier.pk}, True)]


@target("api:sbom:component-detail")
def _sbom_components(world, user):
    # A component is seen with its SBOM: the owner's people and those the SBOM is shared with.
    from forceb.sbom.models import Sbom

    rows = [*world.private[Sbom].values(), world.to_hub[Sbom], world.to_community[Sbom]]
    return [(f"component of {sbom.owner.slug}'s SBOM", {"pk": sbom.components.order_by("pk").first().pk}, world.visible(user, sbom))
            for sbom in rows if sbom is not None]


@target("api:sbom:advisory-detail")
def _advisories(world, user):
    # The knowledge base is public data, read by every signed-in person.
    from forceb.sbom.models import Advisory

    return [(f"advisory {a.osv_id}", {"osv_id": a.osv_id}, True) for a in Advisory.objects.all()[:2]]


@target("web:sbom-export")
def _sbom_exports(world, user):
    # An SBOM's exports are read by whoever may see the SBOM.
    from forceb.sbom.models import Sbom

    rows = [*world.private[Sbom].values(), world.to_hub[Sbom], world.to_community[Sbom]]
    return [(f"{fmt} of {sbom.owner.slug}'s SBOM", {"pk": sbom.pk, "fmt": fmt}, world.visible(user, sbom))
            for sbom in rows if sbom is not None for fmt in ("sarif", "vex")]


# --- TAXII 2.1 (one API root, "hub"; a collection is reached by its owner and the organisations
# named as its readers or writers, never through a Share) -----------------------------------------

TAXII_ROOT = "hub"


@target("taxii:api-root", "taxii:collections")
def _taxii_roots(world, user):
    return [("the hub's API root", {"api_root": TAXII_ROOT}, True),
            ("an unknown API root", {"api_root": "elsewhere"}, False)]


def _taxii_collections(world, user):
    from forceb.intel.models import Collection

    rows = [*world.private[Collection].values(), world.to_hub[Collection], world.to_community[Collection]]
    found = [(f"collection of {c.owner.slug} ({world.build.marks[c]})",
              {"api_root": TAXII_ROOT, "collection_id": str(c.uuid)}, c.owner_id == user.organization_id)
             for c in rows if c is not None]
    return [*found, ("an unknown collection", {"api_root": TAXII_ROOT,
                                               "collection_id": "00000000-0000-4000-8000-000000000000"}, False)]


@target("taxii:collection", "taxii:manifest", "taxii:objects")
def _taxii_collection(world, user):
    return _taxii_collections(world, user)


@target("taxii:object", "taxii:versions")
def _taxii_object(world, user):
    # No STIX object is stored in the matrix's collections: every probe must be refused alike,
    # whether the collection is the person's or not (TAXII answers 404 for an unknown object).
    unknown = "indicator--00000000-0000-4000-8000-000000000000"
    return [(label, {**kwargs, "object_id": unknown}, False) for label, kwargs, _ in _taxii_collections(world, user)]


@target("taxii:status")
def _taxii_status(world, user):
    return [("an unknown status", {"api_root": TAXII_ROOT, "status_id": "00000000-0000-4000-8000-000000000000"},
             False)]


@target("taxii:not-found")
def _taxii_elsewhere(world, user):
    return [("an address TAXII does not know", {"rest": "no/such/resource/"}, False)]


# --- the intelligence REST API --------------------------------------------------------------------

@target("api:intel:correlate")
def _intel_correlate(world, user):
    # The value to correlate is a query parameter; an unknown value answers an empty correlation.
    return [("an unknown value", {}, True, {"value": "203.0.113.250"})]


@target("api:intel:collection-detail")
def _intel_collections(world, user):
    # As over TAXII: a collection is reached by its owner and the organisations named on it.
    return [(label, {"pk": kwargs["collection_id"] and _collection_pk(kwargs["collection_id"])}, reach)
            for label, kwargs, reach in _taxii_collections(world, user)]


def _collection_pk(uuid):
    from forceb.intel.models import Collection

    found = Collection.objects.filter(uuid=uuid).first()
    return found.pk if found else 999_999


@target("api:intel:object-detail", "api:intel:object-correlations", "api:intel:object-sightings")
def _intel_objects(world, user):
    # The matrix's collections hold no STIX object (TLP is tested in tests/intel/test_api.py):
    # an unknown version is refused alike for everyone.
    return [("an unknown version", {"pk": 999_999}, False)]


@target("web:intel-object", "web:intel-object-sighting")
def _intel_object_pages(world, user):
    return _intel_objects(world, user)


@target("web:intel-subscription")
def _intel_subscription_page(world, user):
    # A subscription's digest page is its subscribing organisation's business only: a share of the
    # row (with the hub, with the community) does not open it to anyone else.
    from forceb.intel.models import Subscription

    rows = [*world.private[Subscription].values(), world.to_hub[Subscription], world.to_community[Subscription]]
    return [(f"subscription of {s.owner.slug} ({world.build.marks[s]})", {"pk": s.pk},
             s.owner_id == user.organization_id) for s in rows if s is not None]
