"""Safe evaluation of BPMN conditions, scripts, timer expressions and DMN cells.

The source is parsed with `ast.parse` and interpreted node by node; nothing is ever handed to
eval, exec or compile. Only a small subset of Python is understood. The whole tree is checked
before any of it runs, so a refused construct never has a partial effect.

Bounds, each refused with its number: the source (MAX_SOURCE_CHARS, MAX_NODES, MAX_DEPTH, literals
up to MAX_LITERAL_CHARS and 10**MAX_DIGITS); every value an evaluation builds holds at most
MAX_ITEMS characters, digits or items, nested at most MAX_VALUE_DEPTH levels, checked before it is
built where its size can be predicted (`'a' * n`, `x ** y`, `x << y`, `str(x)`, `sorted(x)`) and
after every operation otherwise; and one evaluation spends at most MAX_STEPS steps (one per syntax
node evaluated, plus the size of every value built and the work of every builtin over its input).
Inside `budget()`, all evaluations of one engine step share MAX_ADVANCE_STEPS, each costing at
least EVALUATION_STEPS, so a loop in a model that evaluates again and again stops too. The parts
of an expression made of constants alone are evaluated when it is compiled, so a model whose
constants break a bound (`'a' * 10**9`) is refused at deploy.
"""

import ast
import functools
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from textwrap import dedent
from typing import Any

MAX_SOURCE_CHARS = 2_000
MAX_NODES = 1_000  # every ast node counts, including Load/Store markers and operators
MAX_DEPTH = 64  # keeps the recursive interpreter far from Python's recursion limit
MAX_DIGITS = 100  # integers built with ** * << (and any ** result) stay below 10**100
MAX_ITEMS = 100_000  # characters, digits and (nested) items of one built value
MAX_VALUE_DEPTH = 32  # nesting of a built value; stored task data must stay serializable
MAX_LITERAL_CHARS = 1_000  # one string literal
MAX_STEPS = 1_000_000  # work of one evaluation: nodes evaluated + sizes built + builtins' work
MAX_ADVANCE_STEPS = 1_000_000  # all evaluations of one engine step (budget()); real steps peak at 33
EVALUATION_STEPS = 4_000  # the least one evaluation costs against MAX_ADVANCE_STEPS: at most 250 evaluations

# Dangerous builtins stay refused even if someone registers or stores a value under the name.
DENIED_NAMES = frozenset(
    {
        "open",
        "exec",
        "eval",
        "compile",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "breakpoint",
        "__import__",
    }
)
_LITERAL_TYPES = (int, float, str, bool, type(None))
_NUMBER_TYPES = (int, float, Decimal)
_SEQUENCE_TYPES = (str, bytes, list, tuple)
_SIZED_TYPES = (str, bytes, dict, list, tuple, set, frozenset)


class ExpressionError(ValueError):
    """An expression or script failed; the message is Chinese / English."""

    def __init__(self, message: str, *, lineno: int | None = None):
        super().__init__(message)
        self.lineno = lineno


class UnsafeExpression(ExpressionError):
    """An expression or script uses something outside the safe subset or exceeds a bound."""


def _message(zh: str, en: str, detail: object = "") -> str:
    text = f"{zh} / {en}"
    return f"{text}: {detail}" if detail != "" else text


def _refuse(zh: str, en: str, detail: object = "") -> UnsafeExpression:
    return UnsafeExpression(_message(zh, en, detail))


# --- public API ----------------------------------------------------------------------------


def evaluate(
    expression: str,
    context: Mapping[str, Any],
    functions: Mapping[str, Callable] | None = None,
) -> Any:
    """Return the value of one expression, reading names from `context`."""
    tree = compile_expression(expression)
    with _evaluation() as steps, _translated():
        return _Interpreter(context, functions, steps).visit(tree.body)


def execute(
    script: str,
    context: MutableMapping[str, Any],
    functions: Mapping[str, Callable] | None = None,
) -> None:
    """Run a script of assignments and calls, storing assigned names in `context`."""
    tree = compile_script(script)
    with _evaluation() as steps:
        interpreter = _Interpreter(context, functions, steps)
        for statement in tree.body:
            with _translated(statement.lineno):
                interpreter.run(statement)


def compile_expression(expression: str) -> ast.Expression:
    """Parse and check an expression without running it; refuse it as `evaluate` would."""
    return _compiled(_source(expression).strip(), "eval")


def compile_script(script: str) -> ast.Module:
    """Parse and check a script without running it; refuse it as `execute` would."""
    return _compiled(dedent(_source(script)), "exec")


@contextmanager
def budget(steps: int = MAX_ADVANCE_STEPS) -> Iterator["Steps"]:
    """Share one budget of `steps` among all evaluations inside; an enclosing budget() wins."""
    shared = _SHARED.get()
    if shared is not None:
        yield shared
        return
    shared = Steps(steps, "evaluations of one process step", "流程一步内的求值")
    token = _SHARED.set(shared)
    try:
        yield shared
    finally:
        _SHARED.reset(token)


# --- the step budget -----------------------------------------------------------------------


class Steps:
    """A deterministic work counter: `charge` refuses once `limit` is passed."""

    def __init__(self, limit: int, what_en: str, what_zh: str, spent: int = 0):
        self.limit, self.spent = limit, spent
        self.what_en, self.what_zh = what_en, what_zh

    def charge(self, units: int) -> None:
        self.spent += units
        if self.spent > self.limit:
            raise _refuse(
                f"{self.what_zh}超出步数上限 {self.limit}",
                f"{self.what_en} exceeded the budget of {self.limit} steps",
                f"{self.spent} steps",
            )


_SHARED: ContextVar[Steps | None] = ContextVar("evaluator_budget", default=None)


@contextmanager
def _evaluation() -> Iterator[Steps]:
    """Give one evaluation its steps: MAX_STEPS, or what the shared budget has left if less."""
    shared = _SHARED.get()
    if shared is None:
        yield Steps(MAX_STEPS, "one evaluation", "一次求值")
        return
    shared.charge(EVALUATION_STEPS)
    if shared.limit - shared.spent < MAX_STEPS:  # the shared bound comes first: count on it directly
        yield shared
        return
    own = Steps(MAX_STEPS, "one evaluation", "一次求值")
    try:
        yield own
    finally:
        shared.spent += own.spent


# --- parsing and the static check ----------------------------------------------------------


def _source(text: object) -> str:
    if not isinstance(text, str):
        raise ExpressionError(_message("表达式必须是字符串", "an expression must be a string", text))
    if len(text) > MAX_SOURCE_CHARS:
        raise _refuse("表达式过长", f"expression is longer than {MAX_SOURCE_CHARS} characters", len(text))
    return text


@functools.lru_cache(maxsize=1024)
def _compiled(source: str, mode: str) -> ast.AST:
    # Trees are never changed once checked, so one parse and check serves every evaluation.
    return _parse(source, mode)


def _parse(source: str, mode: str) -> ast.AST:
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        detail = f"{exc.msg} (line {exc.lineno})"
        raise ExpressionError(_message("语法错误", "syntax error", detail), lineno=exc.lineno) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        raise _refuse("表达式无法解析", "expression cannot be parsed", type(exc).__name__) from None
    _check(tree)
    _check_constant_parts(tree)
    return tree


def _check(tree: ast.AST) -> None:
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise _refuse("表达式过于复杂", f"expression has more than {MAX_NODES} syntax nodes", len(nodes))
    _check_depth(tree)
    # Attribute access first: it is the refusal worth naming in `().__class__...()` or `x.y = 1`.
    for node in sorted(nodes, key=lambda node: not isinstance(node, ast.Attribute)):
        try:
            _check_node(node)
        except UnsafeExpression as exc:
            exc.lineno = getattr(node, "lineno", None)  # operators and contexts carry none
            raise


def _check_depth(tree: ast.AST) -> None:
    # Iterative on purpose: a recursive walk could itself overflow on the trees it guards against.
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _refuse("表达式嵌套过深", f"expression nests deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


_ALLOWED_NODES = (
    ast.Expression,
    ast.Module,
    ast.Assign,
    ast.AugAssign,
    ast.Expr,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Subscript,
    ast.Slice,
    ast.Call,
    ast.keyword,
    ast.And,
    ast.Or,
)

_REFUSED_NODES = {
    ast.Lambda: ("不允许使用 lambda 表达式", "lambda is not allowed"),
    ast.ListComp: ("不允许使用推导式", "comprehensions are not allowed"),
    ast.SetComp: ("不允许使用推导式", "comprehensions are not allowed"),
    ast.DictComp: ("不允许使用推导式", "comprehensions are not allowed"),
    ast.GeneratorExp: ("不允许使用生成器表达式", "generator expressions are not allowed"),
    ast.Import: ("不允许导入模块", "imports are not allowed"),
    ast.ImportFrom: ("不允许导入模块", "imports are not allowed"),
    ast.NamedExpr: ("不允许使用海象运算符 :=", "the walrus operator := is not allowed"),
    ast.Delete: ("不允许使用 del", "del is not allowed"),
    ast.For: ("不允许使用循环", "loops are not allowed"),
    ast.AsyncFor: ("不允许使用循环", "loops are not allowed"),
    ast.While: ("不允许使用循环", "loops are not allowed"),
    ast.FunctionDef: ("不允许定义函数", "function definitions are not allowed"),
    ast.AsyncFunctionDef: ("不允许定义函数", "function definitions are not allowed"),
    ast.ClassDef: ("不允许定义类", "class definitions are not allowed"),
    ast.JoinedStr: ("不允许使用 f-string", "f-strings are not allowed"),
    ast.Starred: ("不允许使用 * 解包", "star unpacking is not allowed"),
    ast.If: (
        "不允许使用 if 语句，请用条件表达式",
        "if statements are not allowed, use `a if c else b`",
    ),
}


def _check_node(node: ast.AST) -> None:
    if isinstance(node, ast.Attribute):
        raise _refuse("表达式不允许访问属性", "attribute access is not allowed in expressions", _snippet(node))
    if isinstance(node, ast.Name):
        _check_name(node.id)
    elif isinstance(node, ast.Constant):
        _check_constant(node.value)
    elif isinstance(node, ast.Call):
        _check_call(node)
    elif isinstance(node, ast.Dict) and None in node.keys:
        raise _refuse("不允许使用 ** 解包", "dict unpacking with ** is not allowed", _snippet(node))
    elif isinstance(node, ast.stmt):
        _check_statement(node)
    if not isinstance(node, _ALLOWED_NODES) and type(node) not in _OPERATOR_TYPES:
        zh, en = _REFUSED_NODES.get(type(node), ("不允许的语法", "syntax not allowed"))
        raise _refuse(zh, en, type(node).__name__)


def _check_name(name: str) -> None:
    if name.startswith("_"):
        raise _refuse(
            "不允许使用以下划线开头的名称",
            "names starting with an underscore are not allowed",
            name,
        )
    if name in DENIED_NAMES:
        raise _refuse("不允许使用该名称", "this name is not allowed", name)


def _check_constant(value: object) -> None:
    if not isinstance(value, _LITERAL_TYPES):
        raise _refuse("不允许的常量类型", "literal type not allowed", type(value).__name__)
    if isinstance(value, str) and len(value) > MAX_LITERAL_CHARS:
        raise _refuse("字符串常量过长", f"string literal is longer than {MAX_LITERAL_CHARS} characters", len(value))
    if _is_int(value) and _digits(value) > MAX_DIGITS:
        raise _refuse("整数常量过大", f"integer literal exceeds 10**{MAX_DIGITS}", _short(value))


# Nodes whose value depends on nothing but their children: a subtree of these alone (and calls of
# the safe builtins) is the same at every run, so its bounds are checked when it is compiled. They
# are the allowed nodes but those that name, call, assign or hold statements.
_CONSTANT_NODES = tuple(
    node
    for node in _ALLOWED_NODES
    if node
    not in (ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.Name, ast.Store, ast.Call, ast.keyword)
)


def _check_constant_parts(tree: ast.AST) -> None:
    """Refuse now what the constants alone would be refused for when run: `'a' * 10**9`, `9**9**9`."""
    for node in _constant_parts(tree):
        try:
            with _translated():
                _Interpreter({}, None, Steps(MAX_STEPS, "one evaluation", "一次求值")).visit(node)
        except UnsafeExpression as exc:
            exc.lineno = getattr(node, "lineno", None)
            raise
        except ExpressionError:
            pass  # 1 / 0 or min([]) fail the same way when run; only bounds are refused here


def _constant_parts(tree: ast.AST) -> Iterator[ast.expr]:
    """Yield the largest subtrees built of constants only (bare constants excepted)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.expr) and not isinstance(node, ast.Constant) and _is_constant(node):
            yield node
        else:
            stack.extend(ast.iter_child_nodes(node))


def _is_constant(node: ast.AST) -> bool:
    return all(
        isinstance(part, _CONSTANT_NODES)
        or type(part) in _OPERATOR_TYPES
        or (isinstance(part, ast.Call) and isinstance(part.func, ast.Name) and part.func.id in SAFE_BUILTINS)
        or (isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load) and part.id in SAFE_BUILTINS)
        or isinstance(part, ast.keyword)
        for part in ast.walk(node)
    )


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name):
        raise _refuse("只能按名称调用函数", "only functions named directly may be called", _snippet(node.func))
    for keyword in node.keywords:
        if keyword.arg is None:
            raise _refuse("不允许使用 ** 解包", "keyword unpacking with ** is not allowed", _snippet(node))
        _check_name(keyword.arg)


def _check_statement(statement: ast.stmt) -> None:
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AugAssign):
        targets = [statement.target]
    elif isinstance(statement, ast.Expr):
        if not isinstance(statement.value, ast.Call):
            raise _refuse(
                "单独的表达式语句只能是函数调用",
                "an expression statement must be a function call",
                _snippet(statement),
            )
        return
    else:
        return  # any other statement is refused by _check_node, which names it
    for target in targets:
        if not isinstance(target, ast.Name):
            raise _refuse("只能给简单名称赋值", "only plain names can be assigned", _snippet(target))


def _snippet(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 80 else text[:77] + "..."


# --- bounds --------------------------------------------------------------------------------


def _digits(number: Any) -> float:
    """Return log10(|number|), or 0 for zero."""
    return math.log10(abs(number)) if number else 0.0


def _check_pow(base: Any, exponent: Any) -> None:
    if not (isinstance(base, _NUMBER_TYPES) and isinstance(exponent, _NUMBER_TYPES)):
        return  # the operator itself will refuse the types
    try:
        estimate = float(exponent) * _digits(base)
    except (OverflowError, ValueError):
        estimate = math.inf  # an exponent beyond float range
    if estimate > MAX_DIGITS:
        raise _refuse(
            "乘方结果过大",
            f"power result would exceed 10**{MAX_DIGITS}",
            f"{_short(base)} ** {_short(exponent)}",
        )


def _check_mult(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right):
        if _digits(left) + _digits(right) > MAX_DIGITS:
            raise _refuse(
                "乘积过大",
                f"product would exceed 10**{MAX_DIGITS}",
                f"{_short(left)} * {_short(right)}",
            )
    elif isinstance(left, _SEQUENCE_TYPES) and _is_int(right):
        _check_repeat(left, right)
    elif _is_int(left) and isinstance(right, _SEQUENCE_TYPES):
        _check_repeat(right, left)


def _check_repeat(sequence: Any, times: int) -> None:
    if times > 0 and _size(sequence) * times > MAX_ITEMS:
        raise _refuse(
            "重复结果过大",
            f"repetition would produce more than {MAX_ITEMS} items",
            f"{type(sequence).__name__} * {_short(times)}",
        )


def _check_add(left: Any, right: Any) -> None:
    if isinstance(left, _SEQUENCE_TYPES) and isinstance(right, _SEQUENCE_TYPES):
        if _size(left) + _size(right) > MAX_ITEMS:
            raise _refuse(
                "拼接结果过大",
                f"concatenation would produce more than {MAX_ITEMS} items",
                f"{type(left).__name__} + {type(right).__name__}",
            )


def _check_lshift(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right) and left.bit_length() + right > MAX_DIGITS * math.log2(10):
        raise _refuse(
            "移位结果过大",
            f"shift result would exceed 10**{MAX_DIGITS}",
            f"{_short(left)} << {_short(right)}",
        )


def _check_mod(left: Any, right: Any) -> None:
    # "%0999999999d" % 1 would build a gigantic string; printf formatting is not needed here.
    if isinstance(left, (str, bytes)):
        raise _refuse("不允许使用 % 格式化字符串", "string formatting with % is not allowed")


def _check_built(value: Any, steps: Steps) -> Any:
    """Refuse a value built past MAX_ITEMS or MAX_VALUE_DEPTH; charge its size; return it."""
    size = _size(value)
    if size > MAX_ITEMS:
        if isinstance(value, (str, bytes)):
            raise _refuse("字符串过长", f"string would be longer than {MAX_ITEMS} characters", size)
        if _is_int(value):
            raise _refuse("整数过大", f"integer would have more than {MAX_ITEMS} digits")
        raise _refuse("容器过大", f"container would hold more than {MAX_ITEMS} items", f"at least {size}")
    steps.charge(size)
    return value


def _size(value: Any, limit: int = MAX_ITEMS, per_item: int = 1) -> int:
    """Count characters, digits and items of a value, nested ones included, stopping past `limit`.

    With `per_item` > 1 each item also counts for the separators and quotes `str()` prints.
    Refuse a value nested deeper than MAX_VALUE_DEPTH.
    """
    # Shared references are counted every time they occur: that is what printing or
    # comparing the value costs, and it stops [[big] * n] * n from slipping through.
    if not isinstance(value, _CONTAINER_TYPES):
        return len(value) if isinstance(value, (str, bytes)) else _scalar_size(value)
    total, stack = 0, [(value, 1)]
    while stack and total <= limit:
        container, depth = stack.pop()
        if depth > MAX_VALUE_DEPTH:
            raise _refuse("值嵌套过深", f"value nests deeper than {MAX_VALUE_DEPTH} levels")
        total += len(container) * per_item
        if total > limit:
            break  # never walk the items of a container already too big
        for item in _children(container):
            if isinstance(item, (str, bytes)):
                total += len(item)
            elif isinstance(item, _CONTAINER_TYPES):
                stack.append((item, depth + 1))
            else:
                total += _scalar_size(item)
    return total


_CONTAINER_TYPES = (dict, list, tuple, set, frozenset)


def _children(container: Any) -> Iterable:
    if isinstance(container, dict):
        return [*container.keys(), *container.values()]
    return container


def _scalar_size(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        return 1
    if _is_int(value):
        return int(value.bit_length() * 0.30103) + 1  # decimal digits, within one
    if isinstance(value, Decimal):
        return len(value.as_tuple().digits) + 1
    return 1  # floats and anything a registered function hands back


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _short(value: Any) -> str:
    if _is_int(value) and value.bit_length() > 64:
        return f"<int of about {_digits(value):.0f} digits>"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- operators and builtins ----------------------------------------------------------------

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
}
_BINARY_GUARDS = {
    ast.Add: _check_add,
    ast.Mult: _check_mult,
    ast.Pow: _check_pow,
    ast.LShift: _check_lshift,
    ast.Mod: _check_mod,
}
_UNARY = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: operator.not_,
    ast.Invert: operator.invert,
}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda item, container: item in container,
    ast.NotIn: lambda item, container: item not in container,
}
_OPERATOR_TYPES = frozenset({*_BINARY, *_UNARY, *_COMPARE})


def _round(number: Any, ndigits: int | None = None) -> Any:
    # round(5, -10**9) would compute 10**(10**9) inside CPython.
    if ndigits is None:
        return round(number)
    if abs(ndigits) > MAX_DIGITS:
        raise _refuse("round 的位数过大", f"round() ndigits beyond ±{MAX_DIGITS}", ndigits)
    return round(number, ndigits)


def _sum(iterable: Iterable, /, start: Any = 0) -> Any:
    # sum(lists, []) would concatenate without the size bound; only numbers are summed.
    if not isinstance(start, _NUMBER_TYPES):
        raise _refuse("sum 只能对数字求和", "sum() only adds numbers", type(start).__name__)
    return sum(iterable, start)


SAFE_BUILTINS: Mapping[str, Callable] = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "round": _round,
    "int": int,
    "str": str,
    "bool": bool,
    "sum": _sum,
    "sorted": sorted,
    "any": any,
    "all": all,
}


def _before_str(steps: Steps, value: Any = "", *rest: Any) -> None:
    if isinstance(value, str):
        return  # str(s) is s
    predicted = _size(value, per_item=4)  # quotes, comma and space around each item
    if predicted > MAX_ITEMS:
        raise _refuse(
            "str() 结果过长",
            f"str() would produce more than {MAX_ITEMS} characters",
            f"at least {predicted}",
        )
    steps.charge(predicted)


def _before_sorted(steps: Steps, iterable: Any = (), *rest: Any, **options: Any) -> None:
    # The result is a list of the items: one item more per character of a string, the keys of a dict.
    if isinstance(iterable, (str, bytes)):
        predicted = 2 * len(iterable)
    elif isinstance(iterable, dict):
        predicted = len(iterable) + _size(list(iterable))
    else:
        predicted = _size(iterable)
    if predicted > MAX_ITEMS:
        raise _refuse(
            "sorted() 结果过大", f"sorted() would produce more than {MAX_ITEMS} items", f"at least {predicted}"
        )
    count = _length(iterable)
    steps.charge(count * max(1, math.ceil(math.log2(count or 1))))  # the comparisons of a sort


def _before_iteration(steps: Steps, *args: Any, **options: Any) -> None:
    # min, max, sum, any and all walk every item of their one iterable, or compare their arguments.
    steps.charge(_length(args[0]) if len(args) == 1 else len(args))


def _length(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 1  # not sized: the builtin refuses it or it is a single value


# What a safe builtin costs before it runs, keyed by the function itself: a registered function
# shadowing a builtin's name is not a builtin and is measured only by what it returns.
_BEFORE_CALL: Mapping[Callable, Callable] = {
    str: _before_str,
    sorted: _before_sorted,
    min: _before_iteration,
    max: _before_iteration,
    _sum: _before_iteration,
    any: _before_iteration,
    all: _before_iteration,
}


# --- the interpreter -----------------------------------------------------------------------


class _Interpreter:
    """Walk a checked tree; names come from the context, calls only from allowed functions.

    Every node evaluated costs one step, every value built its size (`_check_built`).
    """

    def __init__(self, names: Mapping[str, Any], functions: Mapping[str, Callable] | None, steps: Steps):
        self.names = names
        self.functions = {**SAFE_BUILTINS, **(functions or {})}
        self.steps = steps

    def run(self, statement: ast.stmt) -> None:
        self.steps.charge(1)
        if isinstance(statement, ast.Assign):
            value = self.visit(statement.value)
            for target in statement.targets:
                self.names[target.id] = value
        elif isinstance(statement, ast.AugAssign):
            # Rebinds the name with a plain operator; never mutates a shared list in place.
            current = self._lookup(statement.target.id)
            value = self.visit(statement.value)
            self.names[statement.target.id] = self._binary(statement.op, current, value)
        else:
            self.visit(statement.value)

    def visit(self, node: ast.expr) -> Any:
        self.steps.charge(1)
        return getattr(self, f"_eval_{type(node).__name__}")(node)

    def _built(self, value: Any) -> Any:
        return _check_built(value, self.steps)

    def _lookup(self, name: str) -> Any:
        if name not in self.names:
            raise ExpressionError(_message("名称未定义", "name is not defined", name))
        return self.names[name]

    def _eval_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _eval_Name(self, node: ast.Name) -> Any:
        return self._lookup(node.id)

    def _eval_List(self, node: ast.List) -> list:
        return self._built([self.visit(item) for item in node.elts])

    def _eval_Tuple(self, node: ast.Tuple) -> tuple:
        return self._built(tuple(self.visit(item) for item in node.elts))

    def _eval_Set(self, node: ast.Set) -> set:
        return self._built({self.visit(item) for item in node.elts})

    def _eval_Dict(self, node: ast.Dict) -> dict:
        pairs = [(self.visit(key), self.visit(value)) for key, value in zip(node.keys, node.values, strict=True)]
        return self._built(dict(pairs))

    def _eval_BinOp(self, node: ast.BinOp) -> Any:
        return self._binary(node.op, self.visit(node.left), self.visit(node.right))

    def _binary(self, op: ast.operator, left: Any, right: Any) -> Any:
        guard = _BINARY_GUARDS.get(type(op))
        if guard is not None:
            guard(left, right)
        return self._built(_BINARY[type(op)](left, right))

    def _eval_UnaryOp(self, node: ast.UnaryOp) -> Any:
        return self._built(_UNARY[type(node.op)](self.visit(node.operand)))

    def _eval_BoolOp(self, node: ast.BoolOp) -> Any:
        # Short-circuit like Python: stop at the first operand that decides the result.
        stop_when = not isinstance(node.op, ast.And)
        for value_node in node.values:
            value = self.visit(value_node)
            if bool(value) is stop_when:
                return value
        return value

    def _eval_Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            result = _COMPARE[type(op)](left, right)
            if not result:
                return result  # a chain stops at its first false link
            left = right
        return result

    def _eval_IfExp(self, node: ast.IfExp) -> Any:
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def _eval_Subscript(self, node: ast.Subscript) -> Any:
        value = self.visit(node.value)[self.visit(node.slice)]
        return self._built(value) if isinstance(node.slice, ast.Slice) else value  # a slice is new

    def _eval_Slice(self, node: ast.Slice) -> slice:
        parts = (node.lower, node.upper, node.step)
        return slice(*(None if part is None else self.visit(part) for part in parts))

    def _eval_Call(self, node: ast.Call) -> Any:
        function = self._function(node.func.id)
        args = [self.visit(arg) for arg in node.args]
        kwargs = {keyword.arg: self.visit(keyword.value) for keyword in node.keywords}
        before = _BEFORE_CALL.get(function)
        if before is not None:
            before(self.steps, *args, **kwargs)
        return self._built(function(*args, **kwargs))

    def _function(self, name: str) -> Callable:
        if name in self.functions:
            return self.functions[name]
        raise _refuse("不允许调用未注册的函数", "only registered functions may be called", name)


# --- runtime errors ------------------------------------------------------------------------

_RUNTIME_ERRORS = {
    ZeroDivisionError: ("除数为零", "division by zero"),
    KeyError: ("键不存在", "key not found"),
    IndexError: ("索引超出范围", "index out of range"),
    TypeError: ("类型错误", "type error"),
    OverflowError: ("数值溢出", "numeric overflow"),
    ArithmeticError: ("算术错误", "arithmetic error"),
}


@contextmanager
def _translated(lineno: int | None = None):
    """Turn any failure while running into ExpressionError, tagged with the script line."""
    try:
        yield
    except ExpressionError as exc:
        exc.lineno = exc.lineno or lineno
        raise
    except RecursionError:
        raise UnsafeExpression(_message("值嵌套过深", "value nests too deeply to evaluate"), lineno=lineno) from None
    except Exception as exc:
        zh, en = next(
            (texts for kind, texts in _RUNTIME_ERRORS.items() if isinstance(exc, kind)),
            ("表达式求值失败", "expression evaluation failed"),
        )
        detail = f"{type(exc).__name__}: {exc}"
        raise ExpressionError(_message(zh, en, detail), lineno=lineno) from exc
