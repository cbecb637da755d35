"""TLP 2.0 rules as plain functions: who a marking lets a share reach, and who may pass it on.

Kept free of the ORM so the rules read like the FIRST standard and are tested on their own.
"""

from .choices import TLP

# Order of restriction, for "at least as strict as" comparisons.
RANK = {TLP.CLEAR: 0, TLP.GREEN: 1, TLP.AMBER: 2, TLP.AMBER_STRICT: 3, TLP.RED: 4}


class SharingRefused(ValueError):
    """A share that the marking does not allow; the message says which rule refused it."""


def check_share(tlp: str, *, community: bool, recipient_orgs: int, recipient_users: int) -> None:
    """Raise SharingRefused unless a share with this marking and these recipients is allowed.

    ``community`` means every organisation on the platform. Whether a recipient may pass an
    object on at all is ``reshare_allowed``'s question, asked about the marking it received; the
    marking of the new share only has to reach its recipients lawfully (a recipient may always
    mark more strictly, e.g. pass AMBER on as AMBER+STRICT to one member).
    """
    tlp = TLP(tlp)
    if not community and recipient_orgs == 0 and recipient_users == 0:
        raise SharingRefused("a share needs at least one recipient")
    if community and RANK[tlp] > RANK[TLP.GREEN]:
        raise SharingRefused(f"TLP:{tlp} may not be shared with the whole community; only CLEAR and GREEN may")
    if tlp == TLP.RED and recipient_users == 0:
        raise SharingRefused("TLP:RED reaches named people only: name the recipient users")
    if tlp == TLP.RED and recipient_orgs:
        raise SharingRefused("TLP:RED is shared with named people, not with whole organisations")
    if tlp == TLP.AMBER_STRICT and (recipient_orgs != 1 or recipient_users):
        raise SharingRefused("TLP:AMBER+STRICT is shared with exactly one recipient organisation")


def strictest(markings) -> str | None:
    """The most restrictive of several markings (None for none): what binds a recipient that
    received the same object more than once."""
    markings = [TLP(m) for m in markings]
    return max(markings, key=RANK.__getitem__) if markings else None


def reshare_allowed(tlp: str, *, recipient_is_hub: bool) -> bool:
    """Whether a recipient may pass an object on: GREEN and CLEAR freely, AMBER only by the hub
    to the members it serves (TLP 2.0: 'its clients on a need-to-know basis')."""
    tlp = TLP(tlp)
    if tlp in (TLP.CLEAR, TLP.GREEN):
        return True
    return tlp == TLP.AMBER and recipient_is_hub
