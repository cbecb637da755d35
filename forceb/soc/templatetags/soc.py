"""``{% tickets_naming row %}``: the incident tickets that name a value of an intelligence object,
for the object's page (what the person may see, and a count of the rest)."""

from django import template

from forceb.soc import queries

register = template.Library()


@register.inclusion_tag("soc/_intel_tickets.html", takes_context=True)
def tickets_naming(context, row):
    return {"links": queries.tickets_naming(context["request"].user, row)}
