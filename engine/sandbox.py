"""What diagram code may touch while it runs: everything here refuses before doing the work.

`guards` is the namespace RestrictedPython's compiled code calls into: builtins, attribute access
and the operators that could build a huge value in one C call. `Budget` is the time and memory
limit that every loop, function and comprehension step checks.
"""

from __future__ import annotations

import builtins
import operator
import os
import re
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from time import perf_counter
from types import ModuleType
from typing import Any

from RestrictedPython import PrintCollector
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

MAX_ITEMS = 1_000_000  # longest text, list or range one operation may build
MAX_INT_BITS = 100_000  # about 30,000 decimal digits
MAX_MEMORY = 256 * 2**20  # growth of the process during one run
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
BLOCKED_ATTRIBUTES = INSPECT_ATTRIBUTES | {"mro", "format", "format_map"}
_MUTATORS = frozenset(
    name
    for row in (
        ("append", "extend", "insert", "remove", "pop", "popitem", "clear", "update"),
        ("setdefault", "add", "discard", "sort", "reverse", "difference_update"),
        ("intersection_update", "symmetric_difference_update"),
    )
    for name in row
)
_GROWING = frozenset(
    ["ljust", "rjust", "center", "zfill", "expandtabs", "replace", "join", "translate"]
)
_TEXTS = (str, bytes, bytearray)
_SEQUENCES = (str, bytes, bytearray, list, tuple)


class Refused(Exception):
    """Raised by a guard at run time; becomes an ExpressionError that names the script's line."""

    def __init__(self, kind: str, name: str):
        super().__init__(name)
        self.kind, self.name = kind, name


class Stopped(BaseException):
    """BaseException, so 'except Exception' in a diagram cannot swallow it."""


def guards(read_only: bool) -> dict[str, Any]:
    """The names compiled diagram code calls; `read_only` (expressions) refuses changing data."""
    return {
        "__builtins__": _BUILTINS,
        "_getattr_": _make_getattr(read_only),
        "_getitem_": operator.getitem,
        "_getiter_": iter,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_apply_": _apply,
        "_print_": PrintCollector,
        **_OPERATORS,
    }


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):  # not Linux: only time is watched
        return 0


class Budget:
    """Time and memory for one run, checked at the top of every loop body, function and
    comprehension step; memory is read at most once a millisecond (~5 µs) on long runs only."""

    __slots__ = ("deadline", "next_look", "baseline", "stopped")

    def __init__(self, seconds: float):
        now = perf_counter()
        self.deadline, self.next_look = now + seconds, now + 0.001
        self.baseline: int | None = None
        self.stopped: tuple[str, int] | None = None  # (kind, line), kept if a script swallows it

    def tick(self) -> bool:
        if perf_counter() >= self.next_look:
            self._look()
        return True

    def _look(self) -> None:
        now, resident = perf_counter(), _resident_bytes()
        self.next_look = now + 0.001
        if self.baseline is None:
            self.baseline = resident
        if self.stopped is None:
            if now > self.deadline:
                self.stopped = ("timeout", sys._getframe(2).f_lineno)
            elif resident - self.baseline > MAX_MEMORY:
                self.stopped = ("memory", sys._getframe(2).f_lineno)
        if self.stopped is not None:
            self.next_look = 0.0  # from now on every check stops the script again
            raise Stopped


# --- guarded operations: each refuses, before doing the work, a result too big to build ---


def _check_pow(a: Any, b: Any) -> None:
    if (
        isinstance(a, int)
        and isinstance(b, int)
        and b > 0
        and abs(a) > 1
        and b * a.bit_length() > MAX_INT_BITS
    ):
        raise Refused("too_large", "a power")


def _check_mul(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > MAX_INT_BITS:
            raise Refused("too_large", "a product")
    elif (
        isinstance(b, int)
        and isinstance(a, _SEQUENCES)
        and len(a) * b > MAX_ITEMS
        or isinstance(a, int)
        and isinstance(b, _SEQUENCES)
        and len(b) * a > MAX_ITEMS
    ):
        raise Refused("too_large", "a repeated text or list")


def _check_add(a: Any, b: Any) -> None:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES) and len(a) + len(b) > MAX_ITEMS:
        raise Refused("too_large", "a joined text or list")


def _check_lshift(a: Any, b: Any) -> None:
    if (
        isinstance(a, int)
        and isinstance(b, int)
        and a
        and b > 0
        and a.bit_length() + b > MAX_INT_BITS
    ):
        raise Refused("too_large", "a shifted number")


_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_mod(a: Any, b: Any) -> None:
    if isinstance(a, _TEXTS):  # '%10000000000d' % 1 would build a huge text
        text = a if isinstance(a, str) else a.decode("latin-1")
        for width, precision in _PRINTF_FIELD.findall(text):
            if "*" in (width, precision) or len(width) > 4 or len(precision) > 4:
                raise Refused("too_large", "a formatted text")
        for arg in b if isinstance(b, tuple) else b.values() if isinstance(b, dict) else (b,):
            _check_decimal(arg)  # '%d' converts to int


def _check_decimal(value: Any) -> None:
    # int(Decimal('1e999999')) is one C call of about 30 s, holding the GIL.
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > 30_000:
        raise Refused("too_large", "a whole number from a decimal")


def _guarded(check: Callable[[Any, Any], None], apply: Callable[[Any, Any], Any]) -> Callable:
    def run(a: Any, b: Any) -> Any:
        check(a, b)
        return apply(a, b)

    return run


_CHECKED = {
    "**": _check_pow,
    "*": _check_mul,
    "+": _check_add,
    "<<": _check_lshift,
    "%": _check_mod,
}
_OPERATORS = {
    f"_{name}_": _guarded(_CHECKED[symbol], getattr(operator, name))
    for symbol, name in (("**", "pow"), ("*", "mul"), ("+", "add"), ("<<", "lshift"), ("%", "mod"))
}
# In place, so `items += [x]` still extends a list that task data shares.
_IN_PLACE = {
    f"{symbol}=": (_CHECKED.get(symbol), getattr(operator, name))
    for symbol, name in (
        ("+", "iadd"),
        ("-", "isub"),
        ("*", "imul"),
        ("/", "itruediv"),
        ("//", "ifloordiv"),
        ("%", "imod"),
        ("**", "ipow"),
        ("<<", "ilshift"),
        (">>", "irshift"),
        ("&", "iand"),
        ("|", "ior"),
        ("^", "ixor"),
        ("@", "imatmul"),
    )
}


def _inplacevar(op: str, a: Any, b: Any) -> Any:
    check, apply = _IN_PLACE[op]
    if check:
        check(a, b)
    return apply(a, b)


def _text_growth(text: Any, name: str, args: tuple, kwargs: dict) -> int:
    """Upper bound on the length of text.<name>(*args) without building it."""
    if name == "replace" and len(args) >= 2:
        hits = text.count(args[0]) if args[0] else len(text) + 1
        if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
            hits = min(hits, args[2])
        return len(text) + hits * max(len(args[1]) - len(args[0]), 0)
    if name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        return len(text) + text.count("\t" if isinstance(text, str) else b"\t") * max(tab, 0)
    if name == "translate" and args and isinstance(args[0], dict):
        return len(text) * max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
    if name in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int):
        return args[0]
    return 0


def _guard_growth(text: Any, name: str, method: Callable) -> Callable:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if name == "join" and args:
            parts = list(args[0])  # iterated once here, so it can be measured and then joined
            size = sum(len(p) for p in parts if isinstance(p, _TEXTS)) + len(text) * len(parts)
            args = (parts,)
        else:
            size = _text_growth(text, name, args, kwargs)
        if size > MAX_ITEMS:
            raise Refused("too_large", f"text.{name}()")
        return method(*args, **kwargs)

    return guarded


def _make_getattr(read_only: bool) -> Callable[[Any, str], Any]:
    def guarded_getattr(obj: Any, name: str) -> Any:
        if name in BLOCKED_ATTRIBUTES:
            raise Refused("format" if name.startswith("format") else "forbidden", name)
        if read_only and name in _MUTATORS and isinstance(obj, (list, dict, set, bytearray)):
            raise Refused("mutation", name)
        value = safer_getattr_raise(obj, name)  # also refuses '_…' and frame/code attributes
        if name in _GROWING:
            if isinstance(obj, _TEXTS):
                return _guard_growth(obj, name, value)
            if isinstance(obj, type):  # str.join(sep, parts) would bypass the guard above
                raise Refused("forbidden", f"{obj.__name__}.{name}")
        return value

    return guarded_getattr


def _range(*args: int) -> range:
    span = range(*args)
    try:
        too_long = len(span) > MAX_ITEMS
    except OverflowError:
        too_long = True
    if too_long:
        raise Refused("too_large", "range()")
    return span


def _pow_builtin(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is None:
        return _OPERATORS["_pow_"](base, exp)
    if (
        isinstance(exp, int)
        and isinstance(mod, int)
        and max(exp.bit_length(), mod.bit_length()) > 4096
    ):
        raise Refused("too_large", "pow()")  # a big modular power is seconds in one C call
    return pow(base, exp, mod)


def _round(number: Any, ndigits: int | None = None) -> Any:
    if isinstance(ndigits, int) and abs(ndigits) > 1000:  # round(5, -10**9) computes 10**10**9
        raise Refused("too_large", "round()")
    if ndigits is None:
        _check_decimal(number)
        return round(number)
    return round(number, ndigits)


class _IntType(type):
    """Makes the diagram's `int` refuse absurd decimals while `isinstance(x, int)` still works."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, int)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, int)

    def __call__(cls, *args: Any, **kwargs: Any) -> int:
        if args:
            _check_decimal(args[0])
        return int(*args, **kwargs)


class _Int(metaclass=_IntType):
    """int() as diagrams see it."""


def _sum(items: Any, start: Any = 0) -> Any:
    if not isinstance(start, (int, float, Decimal, timedelta)):  # sum(lists, []) is quadratic
        raise Refused("forbidden", "sum() of lists or texts")
    return sum(items, start)


def _apply(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


def _internal_import(name: str, *args: Any, **kwargs: Any) -> ModuleType:
    # datetime.strftime/strptime import these from C through the caller's builtins; diagram code
    # itself can never name __import__ (the review refuses it).
    if name not in ("time", "_strptime"):
        raise ImportError(f"import of {name} is not allowed")
    return builtins.__import__(name, *args, **kwargs)


_BUILTINS: dict[str, Any] = {
    name: getattr(builtins, name)
    for row in (
        ("abs", "all", "any", "bin", "bool", "callable", "chr", "dict", "divmod", "enumerate"),
        ("filter", "float", "frozenset", "hex", "isinstance", "len", "list", "map", "max", "min"),
        ("oct", "ord", "repr", "reversed", "set", "slice", "sorted", "str", "tuple", "zip"),
        ("ArithmeticError", "AssertionError", "AttributeError", "Exception", "IndexError"),
        ("KeyError", "LookupError", "NameError", "OverflowError", "RuntimeError", "TypeError"),
        ("ValueError", "ZeroDivisionError"),
    )
    for name in row
}
_BUILTINS.update(
    __import__=_internal_import,
    int=_Int,
    range=_range,
    pow=_pow_builtin,
    round=_round,
    sum=_sum,
    Decimal=Decimal,
    date=date,
    datetime=datetime,
    timedelta=timedelta,
    timezone=timezone,
)
