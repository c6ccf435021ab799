"""REDCap's branching logic and calculations, parsed by a grammar (lark).

REDCap writes branching logic as comparisons of fields joined by `and` / `or`, with
parentheses: `[role] = '1' or [role] = '2'`, `([age] >= 18 and [consent] = '1')`,
`[channels(99)] = '1'` (a checkbox option: '1' checked, '0' not), `[q] <> ''`.
Field names are in brackets; values are quoted or bare numbers; `<>` and `!=` mean
"not equal". A calculation is an arithmetic expression over fields, with functions
such as `sum(...)` and `mean(...)`.

medmentor shows an item when one earlier item's answer is one of a set of codes
(`Item.show_if_item`, `show_if_values`). `branching_codes` turns an expression into
that set when it can be one: every comparison names the same field, and `or` /
`and` become union / intersection of the codes each comparison accepts. What cannot
be expressed that way (two fields, an unchecked checkbox, event prefixes, functions)
raises LogicError with the reason in words.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from lark import Lark, Token, Transformer, UnexpectedInput, v_args

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*      -> any_of
?and_expr: atom (_AND atom)*            -> all_of
?atom: comparison
     | "(" or_expr ")"
comparison: field OPERATOR value
field: event? "[" NAME option? "]"
event: "[" NAME "]"
option: "(" CODE ")"
value: STRING | NUMBER
OPERATOR: "<>" | "!=" | ">=" | "<=" | "=" | ">" | "<"
_OR: /or\b/i | "||"
_AND: /and\b/i | "&&"
NAME: /[A-Za-z][A-Za-z0-9_]*/
CODE: /[A-Za-z0-9_.\-]+/
STRING: /'[^']*'/ | /"[^"]*"/
NUMBER: /-?\d+(\.\d+)?/
%ignore /\s+/
"""

CALC_GRAMMAR = r"""
?start: sum
?sum: term (_PLUS term)*               -> plus
?term: field
     | function
     | "(" sum ")"
function: FUNCTION "(" field ("," field)* ")"
field: "[" NAME "]"
FUNCTION: /sum|mean/i
_PLUS: "+"
NAME: /[A-Za-z][A-Za-z0-9_]*/
%ignore /\s+/
"""


class LogicError(ValueError):
    """Branching logic or a calculation medmentor cannot use; the message says why."""


@dataclass(frozen=True)
class Comparison:
    field: str
    option: str | None  # a checkbox option: [field(option)]
    operator: str
    value: str


@dataclass(frozen=True)
class AnyOf:
    parts: tuple


@dataclass(frozen=True)
class AllOf:
    parts: tuple


@v_args(inline=True)
class _Tree(Transformer):
    def any_of(self, *parts):
        return AnyOf(parts)

    def all_of(self, *parts):
        return AllOf(parts)

    def comparison(self, field, operator, value):
        name, option = field
        return Comparison(name, option, "!=" if operator == "<>" else str(operator), value)

    def field(self, *parts):
        if parts and isinstance(parts[0], tuple) and parts[0][0] == "event":
            raise LogicError(
                f"“[{parts[0][1]}]” names a REDCap event; medmentor surveys have no events "
                "in their logic"
            )
        name = str(parts[0])
        option = str(parts[1]) if len(parts) > 1 else None
        return name, option

    def event(self, name):
        return ("event", str(name))

    def option(self, code):
        return str(code)

    def value(self, token: Token):
        text = str(token)
        return text[1:-1] if token.type == "STRING" else text


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr")


@cache
def _calc_parser() -> Lark:
    return Lark(CALC_GRAMMAR, parser="lalr")


def branching_parse(text: str):
    """The expression tree of REDCap branching logic; LogicError when it is not valid."""
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        near = text[max(error.column - 1, 0) :][:20] if error.column and error.column > 0 else ""
        raise LogicError(
            f"not branching logic medmentor can read (near “{near}”): use comparisons such "
            "as [field] = 'code', joined by and / or"
        ) from None
    except LogicError:
        raise
    try:
        return _Tree().transform(tree)
    except Exception as error:  # lark wraps errors raised inside the transformer
        inner = getattr(error, "orig_exc", error)
        if isinstance(inner, LogicError):
            raise inner from None
        raise


def _fields(node) -> set[str]:
    if isinstance(node, Comparison):
        return {node.field}
    return set().union(*(_fields(part) for part in node.parts))


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _accepted(node: Comparison, codes: list[str], *, checkbox: bool) -> set[str]:
    """The codes of the field for which the comparison holds."""
    if checkbox:
        if node.option is None:
            raise LogicError(
                f"“[{node.field}]” is a checkbox: REDCap names one of its options, as "
                f"[{node.field}(code)] = '1'"
            )
        if node.option not in codes:
            raise LogicError(f"“{node.option}” is not an option of “{node.field}”")
        if (node.operator, node.value) in (("=", "1"), ("!=", "0")):
            return {node.option}
        raise LogicError(
            f"“[{node.field}({node.option})] {node.operator} '{node.value}'” shows the item "
            "when an option is not ticked; medmentor shows an item when a listed option is "
            "ticked"
        )
    if node.option is not None:
        raise LogicError(f"“[{node.field}({node.option})]”: “{node.field}” is not a checkbox")
    if node.operator in ("=", "!="):
        if node.value == "":
            # [q] <> '' is "answered": every code.
            matched = set() if node.operator == "=" else set(codes)
            if node.operator == "=":
                raise LogicError(
                    f"“[{node.field}] = ''” shows the item when “{node.field}” is left "
                    "blank; medmentor shows an item after an answer"
                )
            return matched
        equal = {code for code in codes if code == node.value or _same_number(code, node.value)}
        return equal if node.operator == "=" else set(codes) - equal
    bound = _number(node.value)
    if bound is None:
        raise LogicError(f"“{node.value}” is compared with {node.operator} but is not a number")
    result = set()
    for code in codes:
        number = _number(code)
        if number is None:
            raise LogicError(
                f"“{node.field}” has the code “{code}”, not a number, so "
                f"{node.operator} {node.value} has no meaning"
            )
        if {
            ">": number > bound,
            ">=": number >= bound,
            "<": number < bound,
            "<=": number <= bound,
        }[node.operator]:
            result.add(code)
    return result


def _same_number(code: str, value: str) -> bool:
    a, b = _number(code), _number(value)
    return a is not None and b is not None and a == b


def _codes_of(node, codes: list[str], *, checkbox: bool) -> set[str]:
    if isinstance(node, Comparison):
        return _accepted(node, codes, checkbox=checkbox)
    parts = [_codes_of(part, codes, checkbox=checkbox) for part in node.parts]
    if isinstance(node, AnyOf):
        return set().union(*parts)
    if checkbox and len(parts) > 1:
        raise LogicError(
            "“and” between options of a checkbox shows the item only when several are "
            "ticked together; medmentor shows an item when any listed option is ticked"
        )
    return set.intersection(*parts)


def branching_codes(text: str, *, fields: dict[str, tuple[list[str] | None, bool]]) -> tuple:
    """(field, codes in the field's order) that show the item, from REDCap branching.

    `fields` maps each earlier field to (its codes, or None for free text; whether it
    is a checkbox). Raises LogicError naming why the logic cannot be kept.
    """
    tree = branching_parse(text)
    names = sorted(_fields(tree))
    if len(names) > 1:
        raise LogicError(
            f"it depends on {len(names)} questions ({', '.join(names)}); medmentor shows an "
            "item after the answer to one earlier question"
        )
    (name,) = names
    if name not in fields:
        raise LogicError(f"“{name}” is not a question on an earlier row")
    codes, checkbox = fields[name]
    if codes is None:
        raise LogicError(
            f"“{name}” is free text; medmentor shows an item after an answer with codes"
        )
    accepted = _codes_of(tree, codes, checkbox=checkbox)
    if not accepted:
        raise LogicError(f"no answer of “{name}” satisfies it: the item would never show")
    return name, [code for code in codes if code in accepted]


def calculation_parse(text: str) -> tuple[str, list[str]]:
    """("sum" or "mean", the fields) of a calculation that is a plain sum or mean of
    fields: `sum([a],[b])`, `[a] + [b] + [c]`, `mean([a],[b])`. LogicError otherwise."""
    try:
        tree = _calc_parser().parse(text)
    except UnexpectedInput:
        raise LogicError(
            "not a plain sum or mean of fields (sum([a],[b]), [a]+[b] or mean([a],[b]))"
        ) from None

    def walk(node) -> tuple[str, list[str]]:
        if node.data == "field":
            return "sum", [str(node.children[0])]
        if node.data == "function":
            function = str(node.children[0]).lower()
            return function, [str(child.children[0]) for child in node.children[1:]]
        parts = [walk(child) for child in node.children]  # plus
        if len(parts) == 1:
            return parts[0]
        if any(kind == "mean" and len(fields) > 1 for kind, fields in parts):
            raise LogicError("a mean added to other fields is not a scale score")
        return "sum", [name for _, fields in parts for name in fields]

    scoring, names = walk(tree)
    if len(set(names)) != len(names):
        raise LogicError("a field is counted twice")
    return scoring, names
