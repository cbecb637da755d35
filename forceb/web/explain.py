"""Why a person can see an object: the chokepoint's verdict, and the ownership or shares behind it.

Shown by the "why can I see this?" page (as Datasette's permission debug pages do). The verdict
itself is asked of ``restrict``, never recomputed here, so the page cannot drift from the rule;
the reasons are read from the object's active shares with the same TLP 2.0 reach rules.
"""

from dataclasses import dataclass, field

from forceb.core import queries as core_queries
from forceb.core.choices import TLP

#: What each marking lets a recipient do (TLP 2.0, FIRST), in one line.
TLP_MEANING = {
    TLP.CLEAR: "no limit on disclosure",
    TLP.GREEN: "may be shared within the community, not publicly",
    TLP.AMBER: "may be shared within the recipient organisation and its clients on a need-to-know basis",
    TLP.AMBER_STRICT: "may be shared within the recipient organisation only",
    TLP.RED: "for the named recipients only, no further disclosure",
}


@dataclass
class Reason:
    text: str
    tlp: str = ""
    grants: bool = True  # False: a share that names the person's organisation but does not reach them


@dataclass
class Explanation:
    visible: bool
    changeable: bool
    change_note: str
    reasons: list[Reason] = field(default_factory=list)


def explain(user, obj) -> Explanation:
    model = type(obj)
    visible = model.objects.restrict(user, "view").filter(pk=obj.pk).exists()
    changeable = model.objects.restrict(user, "change").filter(pk=obj.pk).exists()
    reasons = []
    if obj.owner_id == user.organization_id:
        reasons.append(Reason(f"Your organisation, {user.organization}, owns it."))
    for share in core_queries.shares_of(obj).filter(revoked_at__isnull=True):
        reason = _reach(user, share)
        if reason is not None:
            reasons.append(reason)
    if changeable:
        note = f"You may change it: your organisation owns it and your role ({user.get_role_display()}) writes."
    elif obj.owner_id == user.organization_id:
        note = f"Your role ({user.get_role_display()}) reads only."
    else:
        note = f"Only its owner, {obj.owner}, may change it; a share lets you read it."
    return Explanation(visible, changeable, note, reasons)


def _reach(user, share) -> Reason | None:
    by = f"Share #{share.pk} by {share.shared_by} on {share.created:%Y-%m-%d} under TLP:{share.tlp}"
    meaning = TLP_MEANING[TLP(share.tlp)]
    if user in share.recipient_users.all():
        return Reason(f"{by} names you personally ({meaning}).", share.tlp)
    if any(o.pk == user.organization_id for o in share.recipient_orgs.all()):
        if share.tlp == TLP.RED:
            return Reason(f"{by} names your organisation, but TLP:RED reaches only named people.", share.tlp,
                          grants=False)
        return Reason(f"{by} names your organisation ({meaning}).", share.tlp)
    if share.community and share.tlp in (TLP.CLEAR, TLP.GREEN):
        return Reason(f"{by} is open to the whole community ({meaning}).", share.tlp)
    return None
