"""Reading STIX 2.1 patterns with the OASIS parser (``stix2patterns``): plain Python, no ORM.

Correlation, subscription matching and MISP export need the comparisons inside an indicator's
pattern (``[file:hashes.'SHA-256' = '…' OR domain-name:value IN ('a.example', 'b.example')]
FOLLOWEDBY [...]``). The grammar has quoted path steps, escaped quotes, set literals, nested
observation expressions and qualifiers, so it is read by the reference parser, never by a regular
expression. A pattern the parser refuses names nothing: stix2-validator refuses it at the door
anyway, and nothing downstream may fail on one that slipped in (a stored STIX 2.0 object, a
pattern of another language).
"""

from dataclasses import dataclass
from functools import lru_cache

import antlr4
from stix2patterns.exceptions import ParseException
from stix2patterns.inspector import INDEX_STAR
from stix2patterns.v21.grammars.STIXPatternLexer import STIXPatternLexer
from stix2patterns.v21.pattern import Pattern


@dataclass(frozen=True)
class Comparison:
    """One comparison of a pattern: ``object_type:path operator literal``.

    ``path`` holds the steps as written, hash names unquoted (``("hashes", "SHA-256")``) and
    ``"*"`` for a ``[*]`` list index; ``values`` the string literals compared with, unescaped
    (several for ``IN``, none when the literal is a number, a boolean, binary or a timestamp)."""

    object_type: str
    path: tuple[str, ...]
    operator: str  # "=", "!=", "IN", "LIKE", "MATCHES", ">"... prefixed "NOT " when negated
    values: tuple[str, ...]

    @property
    def names_values(self) -> bool:
        """Whether the comparison says the property *is* one of its values (``=`` or ``IN``):
        only then are the values observables; ``LIKE``, ``MATCHES`` and negations are not."""
        return self.operator in ("=", "IN")


@dataclass(frozen=True)
class Reading:
    comparisons: tuple[Comparison, ...]
    observation_operators: frozenset[str]  # AND, OR, FOLLOWEDBY between observations
    qualifiers: frozenset[str]  # WITHIN, REPEATS, START/STOP

    @property
    def is_single_comparison(self) -> bool:
        """``[type:path = 'value']`` and nothing more: what a MISP attribute can hold."""
        return (len(self.comparisons) == 1 and not self.observation_operators and not self.qualifiers
                and self.comparisons[0].operator == "=" and len(self.comparisons[0].values) == 1)


NOTHING = Reading(comparisons=(), observation_operators=frozenset(), qualifiers=frozenset())


def _unquote(literal: str) -> str:
    # A STIX string literal escapes only the quote and the backslash (STIX 2.1, 9.3).
    return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")


def _string_values(literal: str) -> tuple[str, ...]:
    """The strings of a literal as the inspector gives it back: ``'x'`` or a set ``('x','y')``,
    split by the grammar's own lexer."""
    if literal.startswith("'"):
        return (_unquote(literal),)
    if not literal.startswith("("):
        return ()
    tokens = antlr4.CommonTokenStream(STIXPatternLexer(antlr4.InputStream(literal)))
    tokens.fill()
    return tuple(_unquote(t.text) for t in tokens.tokens if t.type == STIXPatternLexer.StringLiteral)


@lru_cache(maxsize=4096)
def read(pattern: str) -> Reading:
    """The comparisons, observation operators and qualifiers of a STIX 2.1 pattern;
    ``NOTHING`` for text the parser refuses."""
    if not isinstance(pattern, str) or not pattern.strip():
        return NOTHING
    try:
        data = Pattern(pattern).inspect()
    except ParseException:
        return NOTHING
    except RecursionError:  # pathologically deep nesting: not a pattern anyone shares
        return NOTHING
    comparisons = tuple(
        Comparison(object_type=object_type,
                   path=tuple("*" if step is INDEX_STAR else str(step) for step in path),
                   operator=operator, values=_string_values(literal))
        for object_type, found in data.comparisons.items() for path, operator, literal in found)
    return Reading(comparisons=comparisons, observation_operators=frozenset(data.observation_ops),
                   qualifiers=frozenset(data.qualifiers))


def of_indicator(obj: dict) -> Reading:
    """The reading of an indicator's pattern when it is a STIX pattern (``pattern_type`` stix,
    the default); other languages (sigma, yara, snort...) are not read."""
    if obj.get("type") != "indicator" or obj.get("pattern_type", "stix") != "stix":
        return NOTHING
    return read(obj.get("pattern", ""))
