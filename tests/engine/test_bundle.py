"""Deploying a set of files: what is accepted, and what a process owner is told otherwise."""

from __future__ import annotations

import itertools
import re

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bundle import DeployRejected, parse_bundle
from engine.evaluator import Evaluator
from engine.juel import JuelUnsupported, translate
from engine.script_engine import make_script_engine
from forms import load_form

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://aftersales">
"""
PYTHON_TEXT = re.compile(r"Traceback|0x[0-9a-fA-F]{4,}|\b\w+(Error|Exception):|<Element |\{http")


def bpmn(body: str, pid: str = "p", attrs: str = 'isExecutable="true"', extra: str = "") -> bytes:
    return (
        f'{HEAD}{extra}<bpmn:process id="{pid}" {attrs}>\n{body}\n</bpmn:process>\n'
        "</bpmn:definitions>\n"
    ).encode()


def line_of(source: bytes, fragment: str) -> int:
    return source.decode()[: source.decode().index(fragment)].count("\n") + 1


def flow(source: str, target: str, fid: str | None = None, condition: str | None = None) -> str:
    body = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
    return (
        f'<bpmn:sequenceFlow id="{fid or source + "_" + target}" sourceRef="{source}" '
        f'targetRef="{target}">{body}</bpmn:sequenceFlow>'
    )


def chain(*elements: str, prefix: str = "") -> str:
    """start -> elements... -> end, each element given as its XML with id="<name>"."""
    start, end = f"{prefix}start", f"{prefix}end"
    ids = [start] + [re.search(r'id="([^"]+)"', e).group(1) for e in elements] + [end]
    flows = "".join(flow(a, b) for a, b in itertools.pairwise(ids))
    return (
        f'<bpmn:startEvent id="{start}"/>'
        + "".join(elements)
        + f'<bpmn:endEvent id="{end}"/>'
        + flows
    )


def deploy(files: dict[str, bytes], **kwargs):
    return parse_bundle(files, evaluator=Evaluator(), **kwargs)


def rejected(files: dict[str, bytes], **kwargs) -> list:
    """The problems of a rejected set; each must be a plain sentence with a line."""
    with pytest.raises(DeployRejected) as caught:
        deploy(files, **kwargs)
    for problem in caught.value.problems:
        assert not PYTHON_TEXT.search(problem.message), problem.message
        assert not PYTHON_TEXT.search(problem.message_zh), problem.message_zh
        assert problem.message_zh and problem.message_zh != problem.message
    return caught.value.problems


def one(problems: list, fragment: str):
    found = [p for p in problems if fragment in p.message]
    assert found, [p.message for p in problems]
    return found[0]


def run(process, data: dict | None = None) -> BpmnWorkflow:
    workflow = BpmnWorkflow(
        process.spec, process.subprocess_specs, script_engine=make_script_engine(Evaluator())
    )
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data or {})
    workflow.do_engine_steps()
    for _ in range(50):
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        ready[0].run()
        workflow.do_engine_steps()
    return workflow


USER_TASK = '<bpmn:userTask id="work" name="Do the work"/>'
FORM = b'{"type": "default", "id": "repair_report", "components": [{"type": "textfield", "key": "note", "label": "Note"}]}'


# -- reading files safely ---------------------------------------------------------------------


def test_billion_laughs_is_rejected_before_parsing():
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n<lolz>&lol2;</lolz>'
    )
    problem = one(rejected({"laughs.bpmn": laughs}), "DOCTYPE")
    assert problem.line == 2 and problem.file == "laughs.bpmn"


def test_external_entity_is_rejected():
    xxe = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + bpmn(
        chain(USER_TASK)
    ).split(b"?>", 1)[1].replace(b"Do the work", b"&x;")
    one(rejected({"xxe.bpmn": xxe}), "DOCTYPE or entity declaration")


def test_doctype_text_inside_a_script_is_not_a_declaration():
    script = (
        '<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script><![CDATA[page = "<!DOCTYPE html>"]]>'
        "</bpmn:script></bpmn:scriptTask>"
    )
    assert deploy({"a.bpmn": bpmn(chain(script))}).processes


def test_broken_xml_names_the_line():
    broken = bpmn(chain(USER_TASK)).replace(b"<bpmn:endEvent", b"<bpmn:endEvent <", 1)
    problem = one(rejected({"broken.bpmn": broken}), "not well-formed XML")
    assert problem.line == line_of(broken, "<bpmn:endEvent <")


def test_too_large_or_too_deep_files_are_rejected():
    huge = bpmn("<!--" + "x" * (3 * 1024 * 1024) + "-->" + chain(USER_TASK))
    one(rejected({"huge.bpmn": huge}), "larger than 2 MB")
    deep = bpmn(
        "<bpmn:documentation>"
        + "<a>" * 300
        + "</a>" * 300
        + "</bpmn:documentation>"
        + chain(USER_TASK)
    )
    one(rejected({"deep.bpmn": deep}), "not well-formed XML")


def test_other_file_types_are_refused_and_nothing_is_deployed():
    problems = rejected({"ok.bpmn": bpmn(chain(USER_TASK)), "notes.txt": b"hello"})
    assert [p.message for p in problems] == [
        (
            "notes.txt: only .bpmn, .dmn and .form files can be deployed. Remove this file from the "
            "upload, or export it from the modeler in one of these formats."
        )
    ]


def test_xml_extension_with_bpmn_content_is_read():
    assert [p.key for p in deploy({"p.xml": bpmn(chain(USER_TASK))}).processes] == ["p"]


# -- what the application learns about tasks --------------------------------------------------


def test_task_meta_roles_assignees_forms_and_lines():
    source = bpmn(
        '<bpmn:extensionElements><camunda:properties><camunda:property name="name_en" value="Repair"/>'
        "</camunda:properties></bpmn:extensionElements>"
        '<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="customer_service"><bpmn:flowNodeRef>intake</bpmn:flowNodeRef>'
        '</bpmn:lane><bpmn:lane id="l2" name="Workshop"><bpmn:flowNodeRef>fix</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'
        + chain(
            '<bpmn:userTask id="intake" name="登记" camunda:assignee="${owner}" camunda:formKey="repair_report">'
            '<bpmn:extensionElements><camunda:properties><camunda:property name="name_en" value="Intake"/>'
            "</camunda:properties></bpmn:extensionElements></bpmn:userTask>",
            '<bpmn:userTask id="fix" camunda:candidateGroups="repair_tech, supervisor"/>',
            '<bpmn:manualTask id="call" name="Call back" camunda:assignee="supervisor"/>',
        ),
        attrs='name="Repair case" isExecutable="true" camunda:candidateStarterGroups="customer_service"',
    ).replace(
        b'<bpmn:startEvent id="start"/>',
        b'<bpmn:startEvent id="start" camunda:formKey="repair_report"/>',
    )
    bundle = deploy({"repair.bpmn": source, "report.form": FORM})
    process = bundle.processes[0]
    assert (process.key, process.name, process.name_en) == ("p", "Repair case", "Repair")
    assert process.start_form_key == "repair_report" and process.form_keys == {"repair_report"}
    assert process.starter_roles == ("customer_service",)
    assert set(bundle.forms) == {"repair_report"} and process.files == {
        "repair.bpmn": source.decode()
    }
    intake, fix, call = process.tasks["intake"], process.tasks["fix"], process.tasks["call"]
    assert (intake.name, intake.name_en, intake.form_key) == ("登记", "Intake", "repair_report")
    assert (intake.roles, intake.lane, intake.assignee, intake.assignee_expr) == (
        ("customer_service",),
        "customer_service",
        None,
        "owner",
    )
    assert intake.line == line_of(source, '<bpmn:userTask id="intake"')
    assert (fix.name, fix.roles, fix.lane) == ("fix", ("repair_tech", "supervisor"), "Workshop")
    assert (call.assignee, call.roles, call.lane) == ("supervisor", (), None)


def test_lane_counts_as_role_only_when_it_is_a_role_key():
    source = bpmn(
        '<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="Workshop"><bpmn:flowNodeRef>work</bpmn:flowNodeRef>'
        "</bpmn:lane></bpmn:laneSet>" + chain(USER_TASK)
    )
    assert deploy({"a.bpmn": source}).processes[0].tasks["work"].roles == ()
    bundle = deploy({"a.bpmn": source}, role_keys={"Workshop"})
    assert bundle.processes[0].tasks["work"].roles == ("Workshop",)


def test_multi_instance_task_is_described_by_the_spec_name_it_runs_under():
    source = bpmn(
        chain(
            '<bpmn:userTask id="check" name="Check part">'
            '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${parts}" '
            'camunda:elementVariable="part"/></bpmn:userTask>'
        )
    )
    process = deploy({"a.bpmn": source}).processes[0]
    assert set(process.tasks) == {"check [child]"}
    workflow = run(process, {"parts": ["a", "b"]})
    assert workflow.completed


# -- Camunda expressions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "juel, python",
    [
        ("${approved}", "approved"),
        ("#{approved}", "approved"),
        ("${amount > 1000}", "amount > 1000"),
        ("${!approved}", "not approved"),
        ("${not approved}", "not approved"),
        ("${a && b}", "a and b"),
        ("${a && b || c}", "(a and b) or c"),
        ("${x == 'y'}", "x == 'y'"),
        ('${x eq "y"}', "x == 'y'"),
        ("${a ne 1 and b lt 2 or c ge 3}", "((a != 1) and (b < 2)) or (c >= 3)"),
        ("${a gt 1 && a le 5}", "(a > 1) and (a <= 5)"),
        ("${customer.age >= 21}", "customer['age'] >= 21"),
        ("${empty customer.name}", "customer['name'] in (None, '', [], {})"),
        ("${invoiceId != null}", "invoiceId != None"),
        ("${approved == true}", "approved == True"),
        ("${(a || b) && !c}", "(a or b) and (not c)"),
        ("${amount div 2 mod 3 > -1.5}", "((amount / 2) % 3) > (-1.5)"),
    ],
)
def test_juel_translation(juel, python):
    assert translate(juel) == python


@pytest.mark.parametrize(
    "juel, hint",
    [
        ('${execution.getVariable("approved")}', "Write ${approved} instead"),
        ("${bean.method()}", "cannot call 'bean.method(...)'"),
        ("${dateTime().plusWeeks(1)}", "cannot call 'dateTime(...)'"),
        ("${a ? b : c}", "Conditional expressions"),
        ("${a} and ${b}", "one expression in one ${...}"),
        ("${x = 1}", "plain expression"),
    ],
)
def test_juel_beyond_the_subset_is_refused_with_a_hint(juel, hint):
    with pytest.raises(JuelUnsupported) as caught:
        translate(juel)
    assert hint in caught.value.hint and caught.value.hint_zh


def test_juel_conditions_run_and_the_uploaded_text_is_kept():
    body = (
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="gw" name="Large?"/>'
        '<bpmn:userTask id="approve"/><bpmn:endEvent id="end"/>'
        + flow("start", "gw")
        + flow("approve", "end")
        + flow("gw", "approve", "big", "${amount &gt; 1000 &amp;&amp; !vip}")
        + flow("gw", "end", "small", "${amount &lt;= 1000 || vip}")
    )
    source = bpmn(body)
    process = deploy({"a.bpmn": source}).processes[0]
    assert process.files["a.bpmn"] == source.decode()
    assert (
        run(process, {"amount": 5000, "vip": False}).get_tasks(
            state=TaskState.COMPLETED, spec_name="approve"
        )
        != []
    )
    assert run(process, {"amount": 10, "vip": False}).completed


def test_method_call_condition_names_the_flow_and_gateway():
    body = (
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="gw" name="Adult?"/><bpmn:endEvent id="end"/>'
        + flow("start", "gw")
        + flow("gw", "end", "adult", '${customer.prop("age").numberValue() &gt;= 21}')
        + flow("gw", "end", "minor", "${age &lt; 21}")
    )
    source = bpmn(body)
    problem = one(rejected({"a.bpmn": source}), "cannot call 'customer.prop(...)'")
    assert problem.element_id == "adult" and problem.line == line_of(source, 'id="adult"')
    assert 'the flow "adult" from "Adult?" to "end"' in problem.message


def test_gateway_flow_without_condition_must_be_default():
    body = (
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="gw" name="OK?"/><bpmn:endEvent id="end"/>'
        + flow("start", "gw")
        + flow("gw", "end", "yes", "${ok}")
        + flow("gw", "end", "no")
    )
    problem = one(
        rejected({"a.bpmn": bpmn(body)}),
        "without a condition and is not the gateway's default flow",
    )
    assert problem.element_id == "no"
    assert deploy(
        {"a.bpmn": bpmn(body).replace(b'name="OK?"', b'name="OK?" default="no"')}
    ).processes


# -- scripts and the restricted evaluator --------------------------------------------------------


def test_import_in_a_script_is_rejected_at_the_line_of_the_import():
    source = bpmn(
        chain(
            '<bpmn:scriptTask id="calc" name="Compute score" scriptFormat="python">\n'
            "<bpmn:script>score = 1\nif score:\n    import os\n</bpmn:script></bpmn:scriptTask>"
        )
    )
    problem = one(
        rejected({"a.bpmn": source}), 'Line 3 of the script of the script task "Compute score"'
    )
    assert "import" in problem.message and problem.line == line_of(source, "    import os")


def test_expressions_use_the_restricted_evaluator():
    body = (
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="gw"/><bpmn:endEvent id="end"/>'
        + flow("start", "gw")
        + flow("gw", "end", "a", "().__class__")
        + flow("gw", "end", "b", "open('x')")
    )
    problems = rejected({"a.bpmn": bpmn(body)})
    one(problems, "'__class__'")
    one(problems, "'open'")


def test_scripts_must_be_python():
    source = bpmn(
        chain(
            '<bpmn:scriptTask id="calc" scriptFormat="groovy"><bpmn:script>println 1</bpmn:script></bpmn:scriptTask>'
        )
    )
    one(rejected({"a.bpmn": source}), "is written in groovy; the engine runs Python only")


def test_a_working_script_runs():
    source = bpmn(
        chain(
            '<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>total = price * 2</bpmn:script></bpmn:scriptTask>'
        )
    )
    workflow = run(deploy({"a.bpmn": source}).processes[0], {"price": 21})
    assert workflow.completed and workflow.last_task.data["total"] == 42


# -- timers -------------------------------------------------------------------------------------


def timer(kind: str, text: str) -> str:
    return (
        f'<bpmn:intermediateCatchEvent id="wait" name="Wait"><bpmn:timerEventDefinition>'
        f"<bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )


@pytest.mark.parametrize(
    "kind, text",
    [
        ("timeDuration", "PT1H"),
        ("timeDuration", '"PT1H"'),
        ("timeDuration", "${wait_for}"),
        ("timeDate", "2030-01-01T09:00:00+08:00"),
        ("timeCycle", "R3/PT1H"),
    ],
)
def test_timers_in_iso_or_expressions_wait(kind, text):
    workflow = run(
        deploy({"a.bpmn": bpmn(chain(timer(kind, text)))}).processes[0], {"wait_for": "PT2H"}
    )
    assert not workflow.completed and "Time" in workflow.waiting_events()[0].event_type


@pytest.mark.parametrize(
    "kind, text, fragment",
    [
        ("timeCycle", "0 0/5 * * * ?", "uses the cron expression"),
        ("timeDuration", "", "does not say when it fires"),
        ("timeCycle", "PT1H", "a cycle needs a repeat count"),
        ("timeDate", "2030-13-45", "which is not a date and time"),
        ("timeDuration", "2030-01-01", "which is not a duration"),
    ],
)
def test_bad_timers_are_rejected(kind, text, fragment):
    source = bpmn(chain(timer(kind, text)))
    problem = one(rejected({"a.bpmn": source}), fragment)
    assert problem.element_id == "wait" and problem.line >= line_of(source, 'id="wait"')


# -- forms --------------------------------------------------------------------------------------


def test_form_key_resolved_from_known_forms():
    known = {"repair_report": load_form(FORM, "repair_report.form")}
    source = bpmn(chain('<bpmn:userTask id="work" camunda:formKey="repair_report"/>'))
    bundle = deploy({"a.bpmn": source}, known_forms=known)
    assert bundle.forms == {} and bundle.processes[0].form_keys == {"repair_report"}


def test_camunda_form_keys_are_explained():
    source = bpmn(
        chain(
            '<bpmn:userTask id="work" name="Approve" camunda:formKey="embedded:app:forms/approve.html"/>'
        )
    )
    problem = one(rejected({"a.bpmn": source}), "Aftersales forms are form-js JSON files")
    assert '(for example "approve")' in problem.message and problem.element_name == "Approve"


def test_unknown_form_key_and_broken_form_file():
    problems = rejected(
        {
            "a.bpmn": bpmn(chain('<bpmn:userTask id="work" camunda:formKey="nope"/>')),
            "bad.form": b'{"type": "default", "id": "bad", "components": [{"type": "bogus", "key": "a"}]}',
        }
    )
    one(problems, 'uses the form "nope", but no uploaded or deployed form has that id')
    bad = one(problems, "bad.form: ")
    assert bad.line == 1 and bad.element_id == "a"


# -- what the engine cannot run -----------------------------------------------------------------


@pytest.mark.parametrize(
    "element, fragment",
    [
        (
            '<bpmn:serviceTask id="x" name="Mail" camunda:class="org.Mail"/>',
            'calls the Java class "org.Mail"',
        ),
        (
            '<bpmn:serviceTask id="x" camunda:type="external" camunda:topic="mail"/>',
            'external worker (topic "mail")',
        ),
        ('<bpmn:serviceTask id="x"/>', "has no implementation"),
        ('<bpmn:sendTask id="x"/>', "does not name a message to send"),
        ('<bpmn:receiveTask id="x"/>', "does not name the message it waits for"),
        ('<bpmn:complexGateway id="x"/>', "does not support complex gateways"),
        (
            '<bpmn:intermediateThrowEvent id="x"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>',
            "uses compensation",
        ),
        (
            (
                '<bpmn:userTask id="x"><bpmn:extensionElements><camunda:taskListener event="create" class="a.B"/>'
                "</bpmn:extensionElements></bpmn:userTask>"
            ),
            "task listener, which the engine does not run",
        ),
        (
            (
                '<bpmn:userTask id="x"><bpmn:extensionElements><camunda:formData><camunda:formField id="a" type="string"/>'
                "</camunda:formData></bpmn:extensionElements></bpmn:userTask>"
            ),
            "camunda:formData",
        ),
        (
            '<bpmn:userTask id="x" camunda:candidateGroups="${groups}"/>',
            "computes its candidate groups",
        ),
        (
            '<bpmn:userTask id="x" camunda:assignee="${users.pick()}"/>',
            "The assignee of the user task",
        ),
        ('<bpmn:businessRuleTask id="x"/>', "does not say which decision to evaluate"),
        (
            '<bpmn:callActivity id="x" calledElement="elsewhere"/>',
            'calls the process "elsewhere", which is not in this upload',
        ),
        (
            '<bpmn:userTask id="x"><bpmn:standardLoopCharacteristics/></bpmn:userTask>',
            "neither a loop condition nor",
        ),
        (
            '<bpmn:userTask id="x"><bpmn:multiInstanceLoopCharacteristics/></bpmn:userTask>',
            "repeats for several items",
        ),
    ],
)
def test_elements_the_engine_cannot_run_are_refused(element, fragment):
    source = bpmn(chain(element))
    problem = one(rejected({"a.bpmn": source}), fragment)
    assert problem.element_id == "x" and problem.line == line_of(source, 'id="x"')


def test_every_problem_is_reported_at_once():
    source = bpmn(
        chain(
            '<bpmn:serviceTask id="a" camunda:class="A"/>',
            '<bpmn:complexGateway id="b"/>',
            '<bpmn:userTask id="c" camunda:formKey="missing"/>',
        )
    )
    assert {p.element_id for p in rejected({"a.bpmn": source})} == {"a", "b", "c"}


def test_engine_refusals_are_plain_sentences():
    body = (
        '<bpmn:startEvent id="start"/><bpmn:subProcess id="sub" name="Repair"><bpmn:startEvent id="s2"/>'
        '<bpmn:endEvent id="e2"/>' + flow("s2", "e2") + "</bpmn:subProcess>"
        '<bpmn:boundaryEvent id="cancel" attachedToRef="sub"><bpmn:cancelEventDefinition/></bpmn:boundaryEvent>'
        '<bpmn:endEvent id="end"/>'
        + flow("start", "sub")
        + flow("sub", "end")
        + flow("cancel", "end")
    )
    source = bpmn(body)
    problem = one(
        rejected({"a.bpmn": source}), "a cancel event can only be attached to a transaction"
    )
    assert problem.line == line_of(source, 'id="sub"')


def test_a_path_too_long_for_the_engine_is_refused_not_crashed():
    tasks = [
        f'<bpmn:scriptTask id="t{i}" scriptFormat="python"><bpmn:script>x = {i}</bpmn:script></bpmn:scriptTask>'
        for i in range(700)
    ]
    one(rejected({"long.bpmn": bpmn(chain(*tasks))}), "The engine cannot follow the process")


# -- several files ------------------------------------------------------------------------------

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="D" namespace="http://aftersales">
  <decision id="route" name="Route request">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_amount" label="Amount"><inputExpression id="ie1" typeRef="number"><text>amount</text></inputExpression></input>
      <input id="in_vip" label="VIP"><inputExpression id="ie2" typeRef="boolean"><text>vip</text></inputExpression></input>
      <output id="out_team" label="Team" name="team" typeRef="string"/>
      <rule id="r1"><inputEntry id="c1"><text>AMOUNT</text></inputEntry><inputEntry id="c2"><text>true</text></inputEntry>
        <outputEntry id="c3"><text>"supervisor"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="c4"><text>-</text></inputEntry><inputEntry id="c5"><text>-</text></inputEntry>
        <outputEntry id="c6"><text>"repair_tech"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""
RULE_TASK = '<bpmn:businessRuleTask id="decide" name="Route" camunda:decisionRef="route"/>'


def dmn(cell: str = "&gt;= 1000") -> bytes:
    return DMN.replace("AMOUNT", cell).encode()


def test_dmn_referenced_from_bpmn_runs():
    source = bpmn(chain(RULE_TASK))
    process = deploy({"a.bpmn": source, "route.dmn": dmn()}).processes[0]
    assert set(process.files) == {"a.bpmn", "route.dmn"}
    assert run(process, {"amount": 5000, "vip": True}).last_task.data["team"] == "supervisor"
    assert run(process, {"amount": 5, "vip": True}).last_task.data["team"] == "repair_tech"


@pytest.mark.parametrize(
    "cell, fragment",
    [
        ("[1..10]", "1 &lt;= ? &lt;= 10".replace("&lt;", "<")),
        ("]1..10[", "1 < ? < 10"),
        ("1, 5, 7", "? in [1, 5, 7]"),
        ('"a","b"', '? in ["a", "b"]'),
        ("not(5)", "? != 5"),
        ("import os", "syntax error"),
    ],
)
def test_feel_the_engine_would_never_match_is_refused(cell, fragment):
    source = dmn(cell)
    problem = one(rejected({"a.bpmn": bpmn(chain(RULE_TASK)), "route.dmn": source}), fragment)
    assert problem.file == "route.dmn" and problem.element_id == "c1"
    assert (
        problem.line == line_of(source, cell.replace("<", "&lt;"))
        and 'rule 1, column "amount"' in problem.message.lower()
    )


def test_decision_references_must_resolve_and_decisions_must_be_used():
    one(
        rejected({"a.bpmn": bpmn(chain(RULE_TASK))}),
        'uses the decision "route", but no uploaded DMN file',
    )
    one(
        rejected({"a.bpmn": bpmn(chain(USER_TASK)), "route.dmn": dmn()}),
        'No process in this upload uses the decision "Route request"',
    )


def test_unsupported_hit_policy_is_refused():
    source = dmn().replace(b'hitPolicy="FIRST"', b'hitPolicy="COLLECT" aggregation="SUM"')
    one(rejected({"a.bpmn": bpmn(chain(RULE_TASK)), "route.dmn": source}), "hit policy COLLECT SUM")


CALLED = bpmn(
    chain('<bpmn:userTask id="fix" name="Repair" camunda:candidateGroups="repair_tech"/>'),
    pid="fix_process",
)
CALLER = bpmn(
    chain('<bpmn:callActivity id="call" name="Fix it" calledElement="fix_process"/>'), pid="case"
)


def test_call_activity_across_files():
    bundle = deploy({"case.bpmn": CALLER, "fix.bpmn": CALLED})
    case = next(p for p in bundle.processes if p.key == "case")
    assert set(case.files) == {"case.bpmn", "fix.bpmn"} and set(case.subprocess_specs) == {
        "fix_process"
    }
    assert case.tasks["fix"].roles == ("repair_tech",)
    assert run(case).completed


def test_duplicates_across_and_within_files():
    one(
        rejected({"a.bpmn": CALLED, "b.bpmn": CALLED}),
        'has the same id "fix_process" as a process in a.bpmn',
    )
    clash = (
        CALLER.replace(
            b'<bpmn:endEvent id="end"/>', b'<bpmn:userTask id="fix"/><bpmn:endEvent id="end"/>'
        )
        .replace(b'targetRef="end"', b'targetRef="fix"')
        .replace(
            b"</bpmn:process>",
            b'<bpmn:sequenceFlow id="z" sourceRef="fix" targetRef="end"/></bpmn:process>',
        )
    )
    one(
        rejected({"case.bpmn": clash, "fix.bpmn": CALLED}),
        "Task ids must be unique across a process and the processes it calls",
    )
    twice = bpmn(chain(USER_TASK, '<bpmn:userTask id="work"/>'))
    problem = one(rejected({"a.bpmn": twice}), 'The id "work" is used twice in a.bpmn')
    assert problem.line == line_of(twice, '<bpmn:userTask id="work"/>')


def test_processes_calling_themselves_are_refused():
    loop = bpmn(chain('<bpmn:callActivity id="again" name="Again" calledElement="q"/>'), pid="q")
    problem = one(rejected({"q.bpmn": loop}), 'calls "q" again (q → q)')
    assert problem.element_id == "again" and problem.line == line_of(loop, 'id="again"')


def test_not_executable_processes():
    unmarked = bpmn(chain(USER_TASK), attrs='isExecutable="false"')
    assert [p.key for p in deploy({"a.bpmn": unmarked}).processes] == ["p"]
    # beside an executable process, an unmarked one is a partner's pool: skipped, not checked
    pool = (
        '<bpmn:process id="partner" isExecutable="false">'
        + chain('<bpmn:complexGateway id="cg"/>', prefix="partner_")
        + "</bpmn:process>"
    )
    assert [p.key for p in deploy({"a.bpmn": bpmn(chain(USER_TASK), extra=pool)}).processes] == [
        "p"
    ]
    caller = bpmn(chain('<bpmn:callActivity id="call" calledElement="partner"/>'), extra=pool)
    one(
        rejected({"a.bpmn": caller}),
        'calls the process "partner", which is marked as not executable',
    )


# -- drawing shortcuts the engine needs spelled out ---------------------------------------------------


def test_link_events_jump_and_unmatched_links_are_refused():
    body = (
        '<bpmn:startEvent id="start"/><bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="A"/>'
        '</bpmn:intermediateThrowEvent><bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="A"/>'
        '</bpmn:intermediateCatchEvent><bpmn:userTask id="work"/><bpmn:endEvent id="end"/>'
        + flow("start", "go")
        + flow("land", "work")
        + flow("work", "end")
    )
    workflow = run(deploy({"a.bpmn": bpmn(body)}).processes[0])
    assert workflow.completed and workflow.get_tasks(spec_name="work")
    one(
        rejected(
            {
                "a.bpmn": bpmn(
                    body.replace(
                        'name="A"/></bpmn:intermediateCatch', 'name="B"/></bpmn:intermediateCatch'
                    )
                )
            }
        ),
        'jumps to the link "A"',
    )


def test_loop_straight_back_into_an_event_runs():
    body = (
        '<bpmn:startEvent id="start"/><bpmn:intermediateCatchEvent id="ask" name="Where is my pizza?">'
        '<bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent><bpmn:task id="calm"/>'
        + flow("start", "ask")
        + flow("ask", "calm")
        + flow("calm", "ask")
    )
    workflow = run(
        deploy({"a.bpmn": bpmn(body, extra='<bpmn:message id="m" name="where"/>')}).processes[0]
    )
    assert [e.event_type for e in workflow.waiting_events()] == ["MessageEventDefinition"]


def test_several_flows_out_of_a_task_split_in_parallel():
    body = (
        '<bpmn:startEvent id="start"/><bpmn:task id="a"/><bpmn:userTask id="b"/><bpmn:userTask id="c"/>'
        '<bpmn:endEvent id="end"/>'
        + flow("start", "a")
        + flow("a", "b")
        + flow("a", "c")
        + flow("b", "end")
        + flow("c", "end")
    )
    workflow = run(deploy({"a.bpmn": bpmn(body)}).processes[0])
    assert workflow.completed and len(workflow.get_tasks(spec_name="end")) == 2


def test_messages_must_be_named():
    body = chain(
        '<bpmn:intermediateCatchEvent id="wait" name="Parts arrived"><bpmn:messageEventDefinition/>'
        "</bpmn:intermediateCatchEvent>"
    )
    one(
        rejected({"a.bpmn": bpmn(body)}),
        'The intermediate event "Parts arrived" does not refer to a named message',
    )


def test_every_message_has_both_languages_and_fills_in():
    from collections import defaultdict

    from engine.deploy_catalog import MESSAGES

    for code, (english, chinese) in MESSAGES.items():
        values = defaultdict(lambda: "X")
        assert "{" not in english.format_map(values).replace("${", ""), code
        assert "{" not in chinese.format_map(values).replace("${", ""), code
        assert english != chinese, code
