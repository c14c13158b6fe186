"""Diagram expressions cannot escape the sandbox, cannot run away, and fail with plain messages."""

from __future__ import annotations

import re
import sys
import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from engine.evaluator import Evaluator, ExpressionError
from engine.script_engine import make_script_engine

CONTEXT = {"amount": 150, "kind": "Repair", "data": {"a": 1, "b": [1, 2]}, "items": [3, 1, 2]}

# Each escape, with the kinds of refusal that are acceptable for it.
ESCAPES = [
    ("__import__('os')", "import"),
    ("open('/etc/passwd').read()", "forbidden"),
    ("eval('1 + 1')", "forbidden"),
    ("exec('x = 1')", "forbidden"),
    ("compile('1', 'f', 'eval')", "forbidden"),
    ("().__class__.__mro__", "private"),
    ("getattr(data, '__class__')", "forbidden"),
    ("'{0.__class__}'.format(data)", "format"),
    ("type(data)", "forbidden"),
    ("globals()", "forbidden"),
    ("locals()", "forbidden"),
    ("vars()", "forbidden"),
    ("(lambda: 0).__globals__", "private"),
    ("(i for i in [1]).gi_frame.f_globals", "forbidden"),
    ("int.mro()[1]", "forbidden"),
    ("data.__class__.__subclasses__()", "private"),
]
ESCAPE_IDS = [source for source, _ in ESCAPES]


@pytest.fixture
def evaluator() -> Evaluator:
    return Evaluator({"is_vip": lambda level: level == "gold"})


def assert_plain(err: ExpressionError) -> None:
    for text in (err.message, err.message_zh):
        assert "0x" not in text and "Traceback" not in text and "<" not in text
    assert re.search(r"[\u4e00-\u9fff]", err.message_zh)


# --- escapes: refused by evaluate(), execute() and check() ---


@pytest.mark.parametrize(("source", "kind"), ESCAPES, ids=ESCAPE_IDS)
def test_escape_is_refused_in_an_expression(evaluator: Evaluator, source: str, kind: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluator.evaluate(source, CONTEXT)
    assert caught.value.kind == kind
    assert_plain(caught.value)


@pytest.mark.parametrize(("source", "kind"), ESCAPES, ids=ESCAPE_IDS)
def test_escape_is_refused_in_a_script(evaluator: Evaluator, source: str, kind: str) -> None:
    context = dict(CONTEXT)
    with pytest.raises(ExpressionError) as caught:
        evaluator.execute(f"total = 1\nstolen = {source}", context)
    assert caught.value.kind == kind
    assert caught.value.line == 2
    assert "stolen" not in context


@pytest.mark.parametrize("statement", ["import os", "from os import path", "import sys as s"])
def test_check_refuses_import_at_deploy_time(evaluator: Evaluator, statement: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluator.check(f"x = 1\n{statement}", "exec")
    assert caught.value.kind == "import"
    assert caught.value.line == 2
    assert caught.value.message.startswith("The script uses 'import' (line 2), which is not")
    assert "import" in caught.value.message_zh


def test_check_accepts_good_code_without_running_it(evaluator: Evaluator) -> None:
    evaluator.check("amount > 100 and kind in ['repair', 'swap']")
    started = time.perf_counter()
    evaluator.check("while True:\n    pass", "exec")
    assert time.perf_counter() - started < 0.1


def test_check_reports_syntax_errors_with_their_line(evaluator: Evaluator) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluator.check("a = 1\nb = (2 +\n", "exec")
    assert caught.value.kind == "syntax"
    assert caught.value.line == 2
    with pytest.raises(ExpressionError):
        evaluator.check("amount >")


@pytest.mark.parametrize("source", ["try:\n    x = 1\nexcept:\n    x = 2", "class A:\n    pass"])
def test_constructs_that_could_hide_the_time_limit_are_refused(
    evaluator: Evaluator, source: str
) -> None:
    with pytest.raises(ExpressionError):
        evaluator.check(source, "exec")


def test_expression_cannot_change_task_data(evaluator: Evaluator) -> None:
    context = {"items": [1], "data": {"a": 1}}
    for source in ("items.append(open)", "data.update(a=2)", "data.setdefault('f', len)"):
        with pytest.raises(ExpressionError) as caught:
            evaluator.evaluate(source, context)
        assert caught.value.kind == "mutation"
    assert context == {"items": [1], "data": {"a": 1}}


# --- runaway code: stopped by the time limit or refused before the work ---


@pytest.mark.parametrize(
    "script", ["while True: pass", "while 1: x = 1", "x = 0\nwhile True:\n    x += 1"]
)
def test_infinite_loop_is_stopped_within_the_time_limit(evaluator: Evaluator, script: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as caught:
        evaluator.execute(script, {})
    assert time.perf_counter() - started < 2
    assert caught.value.kind == "timeout"
    assert "took longer than 1 s" in caught.value.message
    assert "1 秒" in caught.value.message_zh


@pytest.mark.parametrize(
    ("source", "mode"),
    [
        ("sum(1 for _ in range(10**6) for _ in range(10**6))", "eval"),
        ("f = lambda n: f(n - 1) + f(n - 1) if n else 1\nx = f(60)", "exec"),
        ("def f(n):\n    return f(n - 1) + f(n - 1) if n else 1\nx = f(60)", "exec"),
        ("try:\n    while True:\n        pass\nexcept Exception:\n    pass\nresult = 'ok'", "exec"),
        ("try:\n    while True:\n        pass\nfinally:\n    while True:\n        pass", "exec"),
    ],
)
def test_loops_recursion_and_swallowed_timeouts_are_stopped(source: str, mode: str) -> None:
    evaluator = Evaluator(time_limit=0.2)
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as caught:
        if mode == "eval":
            evaluator.evaluate(source, {})
        else:
            evaluator.execute(source, {})
    assert time.perf_counter() - started < 1
    assert caught.value.kind == "timeout"


def test_time_limit_works_in_a_worker_thread_and_leaves_tracing_alone() -> None:
    evaluator, errors, tracer = Evaluator(time_limit=0.2), [], sys.gettrace()

    def run() -> None:
        try:
            evaluator.execute("while True:\n    pass", {})
        except ExpressionError as err:
            errors.append(err)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=2)
    assert not worker.is_alive()
    assert [err.kind for err in errors] == ["timeout"]
    assert sys.gettrace() is tracer


@pytest.mark.parametrize(
    "source",
    [
        "10**10**10",
        "'a' * 10**10",
        "[0] * 10**10",
        "10**10 * 'a'",
        "1 << 10**10",
        "range(10**10)",
        "pow(10, 10**10)",
        "round(5, -10**9)",
        "'x'.ljust(10**10)",
        "('a' * 1000).replace('a', 'a' * 10000)",
        "', '.join(['a' * 1000] * 1000)",
        "'%9999999999d' % 1",
        "sum([[1]] * 10, [])",
        "str.zfill('1', 10**10)",
        "int(Decimal('1e999999'))",
        "round(Decimal('1e999999'))",
        "'%d' % Decimal('1e999999')",
        "pow(3, 2**9999, 10**3000)",
    ],
)
def test_huge_single_operations_are_refused_quickly(evaluator: Evaluator, source: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as caught:
        evaluator.evaluate(source, {})
    assert time.perf_counter() - started < 0.5
    assert caught.value.kind in {"too_large", "forbidden"}
    assert_plain(caught.value)


def test_doubling_a_text_in_a_loop_is_refused_before_memory_runs_out(evaluator: Evaluator) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluator.execute("s = 'ab'\nwhile True:\n    s += s", {})
    assert (caught.value.kind, caught.value.line) == ("too_large", 3)
    with pytest.raises(ExpressionError):
        evaluator.check("x = f'{1:>9999999999}'", "exec")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="memory is read from /proc")
def test_a_loop_that_eats_memory_is_stopped(evaluator: Evaluator) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluator.execute("kept = []\nwhile True:\n    kept.append('x' * 999999)", {})
    assert (caught.value.kind, caught.value.line) == ("memory", 2)
    assert "256 MB" in caught.value.message


# --- normal diagrams keep working ---


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("amount > 100 and kind.lower() in ['repair', 'swap']", True),
        ("amount * 2 - 50 // 7 + 2**3 % 5", 296),
        ("data['a'] + len(data['b'])", 3),
        ("data.get('missing', 'none')", "none"),
        ("[x * 2 for x in sorted(items) if x > 1]", [4, 6]),
        ("{k: v for k, v in data.items() if k == 'a'}", {"a": 1}),
        ("max(items) if items else 0", 3),
        ("f'{kind}-{amount:05d}'", "Repair-00150"),
        ("'%s/%d' % (kind, amount)", "Repair/150"),
        ("is_vip('gold') and not is_vip('tin')", True),
        ("round(Decimal('2.346'), 2)", Decimal("2.35")),
        ("date(2024, 5, 1) + timedelta(days=3)", datetime(2024, 5, 4).date()),
        ("sum([timedelta(hours=2)] * 3, timedelta())", timedelta(hours=6)),
        ("int('42') + int(Decimal('2.9')) if isinstance(amount, int) else 0", 44),
        ("date(2024, 5, 1).strftime('%d.%m.%Y')", "01.05.2024"),
        ("datetime.strptime('2024-05-01', '%Y-%m-%d').day", 1),
    ],
)
def test_normal_expressions_work(evaluator: Evaluator, source: str, expected: object) -> None:
    assert evaluator.evaluate(source, CONTEXT) == expected


def test_text_indented_by_the_diagram_xml_still_runs(evaluator: Evaluator) -> None:
    assert evaluator.evaluate("\n      amount > 5\n    ", {"amount": 7}) is True
    context: dict = {}
    evaluator.execute("\n    x = 1\n    if x:\n        y = x + 1\n  ", context)
    assert context == {"x": 1, "y": 2}


def test_script_keeps_plain_data_and_drops_its_own_functions(evaluator: Evaluator) -> None:
    context = {"price": Decimal("10.00"), "opened": datetime(2024, 5, 1), "old": 1, "gone": 2}
    evaluator.execute(
        "def vat(p):\n    return p * Decimal('1.2')\n"
        "total = vat(price)\ndue = opened + timedelta(days=2)\nold += 1\nalias = len\n"
        "rows = []\nfor i in range(3):\n    rows.append({'n': i, 'vip': is_vip('gold')})\n"
        "a, (b, c) = 1, (2, 3)\ndel gone",
        context,
    )
    assert context == {
        "price": Decimal("10.00"),
        "opened": datetime(2024, 5, 1),
        "old": 2,
        "total": Decimal("12.0000"),
        "due": datetime(2024, 5, 3),
        "rows": [{"n": i, "vip": True} for i in range(3)],
        "i": 2,
        "a": 1,
        "b": 2,
        "c": 3,
    }


def test_script_cannot_store_a_function_inside_task_data(evaluator: Evaluator) -> None:
    context = {"data": {"a": 1}}
    with pytest.raises(ExpressionError) as caught:
        evaluator.execute("data['f'] = is_vip", context)
    assert caught.value.kind == "not_plain"
    assert "'data'" in caught.value.message
    with pytest.raises(ExpressionError) as caught:
        evaluator.evaluate("is_vip", {})
    assert caught.value.kind == "bad_result"


def test_script_leaves_untouched_app_values_alone(evaluator: Evaluator) -> None:
    class Customer:
        level = "gold"

    customer = Customer()
    context = {"customer": customer, "rows": [1]}
    evaluator.execute("vip = is_vip(customer.level)\nrows.append(2)", context)
    assert context == {"customer": customer, "rows": [1, 2], "vip": True}


def test_failing_line_three_is_reported(evaluator: Evaluator) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluator.execute("a = 1\nb = a + 1\nc = foo * 2\nd = 4", {})
    err = caught.value
    assert (err.kind, err.line) == ("undefined", 3)
    assert err.source == "a = 1\nb = a + 1\nc = foo * 2\nd = 4"
    assert err.message == (
        "Name 'foo' is not defined (line 3). Check the variable name or set it in an earlier task."
    )
    assert err.message_zh == "名称 'foo' 未定义（第 3 行）。请检查变量名，或在之前的任务中设置它。"


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("data['zz']", "key"),
        ("items[10]", "index"),
        ("amount / 0", "zero"),
        ("data.nope", "attribute"),
        ("int('abc')", "failed"),
        ("broken()", "failed"),
    ],
)
def test_runtime_failures_read_as_plain_sentences(source: str, kind: str) -> None:
    def broken() -> None:
        raise ValueError(f"cannot use {object()}")

    evaluator = Evaluator({"broken": broken})
    with pytest.raises(ExpressionError) as caught:
        evaluator.evaluate(source, CONTEXT)
    assert caught.value.kind == kind
    assert_plain(caught.value)


def test_data_field_named_like_a_registered_function(evaluator: Evaluator) -> None:
    context = {"is_vip": True, "amount": 5}
    assert evaluator.evaluate("amount > 1", context) is True  # not used: no conflict
    with pytest.raises(ExpressionError) as caught:
        evaluator.evaluate("is_vip('gold')", context)
    assert caught.value.kind == "shadowed"
    assert "'is_vip'" in caught.value.message
    with pytest.raises(ExpressionError) as caught:
        evaluator.execute("is_vip = False", {})
    assert caught.value.kind == "reserved"


@pytest.mark.parametrize("name", ["open", "_secret", "not a name", "class"])
def test_register_refuses_names_diagrams_cannot_own(evaluator: Evaluator, name: str) -> None:
    with pytest.raises(ValueError):
        evaluator.register(name, len)


# --- through SpiffWorkflow: script task, gateway condition, DMN input and output cells ---

SAFE = {
    "script": "amount = 7",
    "dmn_input": ">= 5",
    "dmn_output": "'repair'",
    "condition": "route == 'repair'",
}

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://x">
  <bpmn:process id="triage" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:scriptTask id="prepare" name="Prepare" scriptFormat="python">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="decide"/>
    <bpmn:businessRuleTask id="decide" name="Decide" camunda:decisionRef="routing"/>
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="gate"/>
    <bpmn:exclusiveGateway id="gate" default="f5"/>
    <bpmn:sequenceFlow id="f4" sourceRef="gate" targetRef="repaired">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        >{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" sourceRef="gate" targetRef="other"/>
    <bpmn:endEvent id="repaired"/>
    <bpmn:endEvent id="other"/>
  </bpmn:process>
</bpmn:definitions>"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn" name="Routing"
    namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="routing" name="Routing">
    <decisionTable id="table" hitPolicy="UNIQUE">
      <input id="in1" label="Amount">
        <inputExpression id="expr1" typeRef="integer"><text>amount</text></inputExpression>
      </input>
      <output id="out1" label="Route" name="route" typeRef="string"/>
      <rule id="rule1">
        <inputEntry id="entry1"><text>{dmn_input}</text></inputEntry>
        <outputEntry id="result1"><text>{dmn_output}</text></outputEntry>
      </rule>
      <rule id="rule2">
        <inputEntry id="entry2"><text></text></inputEntry>
        <outputEntry id="result2"><text>'other'</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>"""


def run_triage(evaluator: Evaluator, **texts: str) -> BpmnWorkflow:
    texts = {key: escape(value) for key, value in {**SAFE, **texts}.items()}
    parser = CamundaParser()
    parser.add_bpmn_str(BPMN.format(**texts).encode())
    parser.add_dmn_str(DMN.format(**texts).encode())
    workflow = BpmnWorkflow(
        parser.get_spec("triage"),
        parser.get_subprocess_specs("triage"),
        script_engine=make_script_engine(evaluator),
    )
    workflow.do_engine_steps()
    return workflow


def reached(workflow: BpmnWorkflow) -> set[str]:
    return {task.task_spec.bpmn_id for task in workflow.get_tasks(state=TaskState.COMPLETED)}


@pytest.mark.parametrize(
    ("dmn_input", "ends_at"),
    [
        (">= 5", "repaired"),
        ("4 < ? < 8", "repaired"),
        ("? in [1, 7]", "repaired"),
        ("7", "repaired"),
        ("> 100", "other"),
    ],
)
def test_diagram_runs_through_the_evaluator(
    evaluator: Evaluator, dmn_input: str, ends_at: str
) -> None:
    workflow = run_triage(evaluator, dmn_input=dmn_input)
    assert workflow.is_completed()
    assert ends_at in reached(workflow)
    assert workflow.data["amount"] == 7


@pytest.mark.parametrize("place", ["script", "condition", "dmn_input", "dmn_output"])
@pytest.mark.parametrize(("source", "kind"), ESCAPES, ids=ESCAPE_IDS)
def test_escape_is_refused_inside_a_running_diagram(
    evaluator: Evaluator, place: str, source: str, kind: str
) -> None:
    text = f"amount = 7\nstolen = {source}" if place == "script" else source
    with pytest.raises(WorkflowTaskException) as caught:
        run_triage(evaluator, **{place: text})
    err = caught.value.expression_error
    assert caught.value.__cause__ is err
    assert err.kind == kind
    if place == "script":
        assert (caught.value.line_number, err.line) == (2, 2)


def test_diagram_script_failure_carries_line_and_text(evaluator: Evaluator) -> None:
    with pytest.raises(WorkflowTaskException) as caught:
        run_triage(evaluator, script="amount = 7\nlimit = 3\nratio = amount / missing")
    assert caught.value.line_number == 3
    assert caught.value.error_line == "ratio = amount / missing"
    message = caught.value.expression_error.message
    assert message.startswith("Name 'missing' is not defined (line 3)")


def test_diagram_infinite_loop_is_stopped() -> None:
    started = time.perf_counter()
    with pytest.raises(WorkflowTaskException) as caught:
        run_triage(Evaluator(time_limit=0.3), script="amount = 7\nwhile True:\n    pass")
    assert time.perf_counter() - started < 2
    assert caught.value.expression_error.kind == "timeout"
    assert caught.value.line_number == 2
