"""Every sentence a deployment problem can say, as (English, Simplified Chinese) templates.

This module holds what concerns the uploaded set (files, ids, references, decisions, what
SpiffWorkflow refused); deploy_catalog_elements holds what concerns single elements.
"""

from __future__ import annotations

from .deploy_catalog_elements import ELEMENT_MESSAGES

# What an expression is for, used as {role} / {role_zh}.
ROLES: dict[str, tuple[str, str]] = {
    "condition": ("condition", "条件"),
    "timer": ("timer", "定时器"),
    "assignee": ("assignee", "处理人"),
    "loop condition": ("loop condition", "循环条件"),
    "completion condition": ("completion condition", "完成条件"),
    "loop cardinality": ("loop cardinality", "循环次数"),
    "input expression": ("input expression", "输入表达式"),
    "output value": ("output value", "输出值"),
    "input test": ("input test", "输入条件"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    # -- files ---------------------------------------------------------------------------
    "unsupported_file": (
        (
            "{file}: only .bpmn, .dmn and .form files can be deployed. Remove this file from the "
            "upload, or export it from the modeler in one of these formats."
        ),
        "{file}：只能部署 .bpmn、.dmn 和 .form 文件。请从上传中移除此文件，或在建模器中导出为这些格式之一。",
    ),
    "file_too_large": (
        (
            "{file} is larger than {limit_mb} MB. Split the diagram into smaller processes "
            "connected by call activities."
        ),
        "{file} 超过 {limit_mb} MB。请把图拆分为多个较小的流程，用调用活动连接。",
    ),
    "doctype": (
        (
            "{file} contains a DOCTYPE or entity declaration, which is not allowed in uploads. "
            "Export the file again from the modeler, or delete the <!DOCTYPE ...> part."
        ),
        "{file} 含有 DOCTYPE 或实体声明，上传文件中不允许出现。请从建模器重新导出，或删除 <!DOCTYPE ...> 部分。",
    ),
    "not_utf8": (
        "{file} is not UTF-8 text. Save it as UTF-8 and upload it again.",
        "{file} 不是 UTF-8 文本。请以 UTF-8 编码保存后重新上传。",
    ),
    "not_xml": (
        "{file} is not well-formed XML ({detail}). Export it again from the modeler.",
        "{file} 不是格式正确的 XML（{detail}）。请从建模器重新导出。",
    ),
    "too_many_elements": (
        (
            "{file} has more than {limit} XML elements. Split the diagram into smaller processes "
            "connected by call activities."
        ),
        "{file} 的 XML 元素超过 {limit} 个。请把图拆分为多个较小的流程，用调用活动连接。",
    ),
    "not_bpmn": (
        (
            "{file} is not a BPMN 2.0 diagram (its root element is <{root}>). Upload the .bpmn "
            "file saved by the modeler."
        ),
        "{file} 不是 BPMN 2.0 流程图（根元素为 <{root}>）。请上传建模器保存的 .bpmn 文件。",
    ),
    "dmn_as_xml": (
        "{file} is a DMN decision file. Save it with the .dmn extension and upload it again.",
        "{file} 是 DMN 决策文件。请以 .dmn 扩展名保存后重新上传。",
    ),
    "not_dmn": (
        (
            "{file} is not a DMN decision file (its root element is <{root}>). Upload the .dmn "
            "file saved by the decision editor."
        ),
        "{file} 不是 DMN 决策文件（根元素为 <{root}>）。请上传决策编辑器保存的 .dmn 文件。",
    ),
    "no_process": (
        (
            "{file} contains no process. Draw the process (or a pool with its process) and save "
            "the diagram again."
        ),
        "{file} 中没有流程。请画出流程（或含流程的泳池）后重新保存。",
    ),
    "form_problem": ("{file}: {detail}", "{file}：{detail_zh}"),
    "duplicate_form": (
        '{file} and {other} both define the form "{key}". Give one of them another id.',
        "{file} 和 {other} 都定义了表单“{key}”，请修改其中一个的 id。",
    ),
    "dmn_unused": (
        (
            'No process in this upload uses the decision "{decision}" in {file}. Upload it '
            "together with the diagram whose business rule task refers to it.{evaluated}"
        ),
        "本次上传中没有流程使用 {file} 中的决策“{decision}”。请与引用它的业务规则任务所在的流程图一起上传。{evaluated_zh}",
    ),
    # -- ids and references ---------------------------------------------------------------
    "duplicate_id": (
        (
            'The id "{id}" is used twice in {file} (lines {first} and {line}). Ids must be '
            "unique: change one of them in the properties panel."
        ),
        "{file} 中 id“{id}”出现了两次（第 {first} 行和第 {line} 行）。id 必须唯一，请在属性面板中修改其中一个。",
    ),
    "duplicate_process": (
        (
            '{what} has the same id "{id}" as a process in {other}. Give one of the processes '
            "another id."
        ),
        "{what_zh}的 id“{id}”与 {other} 中的流程相同，请修改其中一个流程的 id。",
    ),
    "duplicate_decision": (
        '{what} has the same id "{id}" as a decision in {other}. Give one of them another id.',
        "{what_zh}的 id“{id}”与 {other} 中的决策相同，请修改其中一个的 id。",
    ),
    "duplicate_task_id": (
        (
            '{what} has the id "{id}", which the process "{process}" also uses for a task '
            "(in {other}, line {other_line}). Task ids must be unique across a process and the "
            "processes it calls: change one of them in the properties panel."
        ),
        (
            "{what_zh}的 id“{id}”与流程“{process}”中的任务重复（{other} 第 {other_line} 行）。"
            "同一流程及其调用的流程中任务 id 必须唯一，请在属性面板中修改其中一个。"
        ),
    ),
    "flow_dangling": (
        (
            '{what} is connected to "{ref}", which is not in this diagram. Reconnect the flow '
            "to an element, or delete it."
        ),
        "{what_zh}连接到了图中不存在的“{ref}”。请把连线重新连接到元素上，或删除它。",
    ),
    "flow_needs_condition": (
        (
            "{what} leaves {gateway} without a condition and is not the gateway's default flow. "
            "Give the flow a condition, or mark it as the default flow."
        ),
        "{what_zh}从{gateway_zh}引出，但没有条件，也不是默认连线。请为连线设置条件，或将其设为默认连线。",
    ),
    "no_start_event": (
        "{what} has no start event. Add a start event where the process begins.",
        "{what_zh}没有开始事件。请在流程开始处添加开始事件。",
    ),
    "subprocess_start": (
        (
            "{what} has {count} start events; a sub-process needs exactly one (plain) start "
            "event. Add one where the sub-process begins and connect it to the first step."
        ),
        "{what_zh}有 {count} 个开始事件；子流程需要且仅需要一个普通开始事件。请在子流程开始处添加一个并连到第一步。",
    ),
    "subprocess_end": (
        "{what} has no end event. Add an end event after its last step.",
        "{what_zh}没有结束事件。请在最后一步之后添加结束事件。",
    ),
    "property_value_unknown": (
        (
            '{what} sets the property "{name}" to "{value}", which this application does not '
            "know. Use one of: {allowed}."
        ),
        "{what_zh}的属性“{name}”取值为“{value}”，本系统不认识。可用的取值：{allowed}。",
    ),
    "called_missing": (
        (
            '{what} calls the process "{ref}", which is not in this upload. Upload its diagram '
            'together with this one, or correct "Called element".'
        ),
        "{what_zh}调用的流程“{ref}”不在本次上传中。请把它的流程图一起上传，或修改“被调用元素”。",
    ),
    "called_not_executable": (
        (
            '{what} calls the process "{ref}", which is marked as not executable. Tick '
            '"Executable" on that process in the modeler.'
        ),
        "{what_zh}调用的流程“{ref}”被标记为不可执行。请在建模器中为该流程勾选“可执行”。",
    ),
    "called_unset": (
        (
            '{what} does not say which process it calls. Set "Called element" to the id of a '
            "process uploaded with this diagram."
        ),
        "{what_zh}没有指定要调用的流程。请把“被调用元素”设为随本图上传的某个流程的 id。",
    ),
    "called_dynamic": (
        (
            '{what} chooses the called process with an expression ("{ref}"). Set "Called '
            'element" to a fixed process id; use a gateway to choose between several.'
        ),
        "{what_zh}用表达式选择被调用流程（“{ref}”）。请把“被调用元素”设为固定的流程 id；需要在多个流程间选择时请使用网关。",
    ),
    "call_cycle": (
        (
            '{what} calls "{ref}" again ({path}), so a case would never finish. Draw the '
            "repetition as a loop back through an exclusive gateway instead."
        ),
        "{what_zh}再次调用了“{ref}”（{path}），案件将永远无法结束。请改为经排他网关返回的循环。",
    ),
    "variable_mapping": (
        (
            "{what} maps single variables in or out (camunda:in/out). Aftersales passes all case "
            'data to the called process and back: set the mappings to "all variables" or remove them.'
        ),
        "{what_zh}单独映射了变量（camunda:in/out）。Aftersales 会把全部案件数据传入并带回被调用流程：请改为“全部变量”或删除映射。",
    ),
    "case_ref": (
        "{what} calls a CMMN case, which Aftersales cannot run. Call a BPMN process instead.",
        "{what_zh}调用的是 CMMN 案例，Aftersales 无法运行。请改为调用 BPMN 流程。",
    ),
    # -- decisions ----------------------------------------------------------------------
    "decision_missing": (
        (
            '{what} does not say which decision to evaluate. Set its implementation to "DMN" '
            'and "Decision reference" to the id of a decision uploaded with the diagram.'
        ),
        "{what_zh}没有指定要执行的决策。请把实现方式设为“DMN”，并把“决策引用”设为随图上传的决策 id。",
    ),
    "decision_not_found": (
        (
            '{what} uses the decision "{ref}", but no uploaded DMN file has a decision with that '
            'id{available}. Upload the DMN file together with the diagram, or correct "Decision reference".'
        ),
        "{what_zh}使用决策“{ref}”，但上传的 DMN 文件中没有该 id 的决策{available_zh}。请把 DMN 文件与流程图一起上传，或修改“决策引用”。",
    ),
    "decision_dynamic": (
        (
            '{what} chooses its decision with an expression ("{ref}"). Set "Decision '
            'reference" to a fixed decision id.'
        ),
        "{what_zh}用表达式选择决策（“{ref}”）。请把“决策引用”设为固定的决策 id。",
    ),
    "result_variable": (
        (
            '{what} stores the decision result in "{variable}"; Aftersales puts the decision\'s '
            'outputs directly into the case data under their output names. Remove "Result '
            'variable" and use the output names in later steps.'
        ),
        (
            "{what_zh}把决策结果存入“{variable}”；Aftersales 会把决策的输出按输出名称直接放入案件数据。"
            "请删除“结果变量”，在后续步骤中使用输出名称。"
        ),
    ),
    "decision_check": (
        (
            'The decision "{decision}" ({key}) in {file} cannot be deployed: {detail} Correct '
            "the table and upload it again."
        ),
        "{file} 中的决策“{decision}”（{key}）不能部署：{detail_zh}请修改决策表后重新上传。",
    ),
    "dmn_decision_count": (
        (
            "{file} holds {count} decisions; the engine reads one decision table per file. Put "
            "each decision in its own .dmn file."
        ),
        "{file} 中有 {count} 个决策；引擎每个文件只读取一个决策表。请把每个决策放在单独的 .dmn 文件中。",
    ),
    "dmn_not_table": (
        (
            "{what} is not a single decision table. Model it as one decision table (literal "
            "expressions and linked decisions are not supported)."
        ),
        "{what_zh}不是单个决策表。请把它建成一个决策表（不支持文字表达式和关联决策）。",
    ),
    "dmn_hit_policy": (
        (
            "{what} uses the hit policy {policy}, which the engine does not apply correctly. Use "
            "Unique, First, Any or Collect (without an aggregation)."
        ),
        "{what_zh}使用命中策略 {policy}，引擎无法正确执行。请使用 Unique、First、Any 或 Collect（不带聚合）。",
    ),
    "dmn_columns": (
        (
            "{what} has {count} cells but the table has {expected} {side} columns. Fill in every "
            'column of the rule (use - for "any").'
        ),
        "{what_zh}有 {count} 个单元格，而决策表有 {expected} 个{side_zh}列。请填写该规则的每一列（“任意”写 -）。",
    ),
    "dmn_feel_range": (
        (
            '{what} uses the FEEL range "{text}", which the engine would never match. Write it '
            "as a comparison, for example {suggest}."
        ),
        "{what_zh}使用了 FEEL 区间“{text}”，引擎永远不会匹配。请写成比较式，例如 {suggest}。",
    ),
    "dmn_feel_list": (
        (
            '{what} lists several values ("{text}"), which the engine would never match. Write '
            "{suggest} instead."
        ),
        "{what_zh}列出了多个取值（“{text}”），引擎永远不会匹配。请改写为 {suggest}。",
    ),
    "dmn_feel_not": (
        (
            '{what} uses FEEL not(...) ("{text}"), which the engine would never match. Write '
            "{suggest} instead."
        ),
        "{what_zh}使用了 FEEL 的 not(...)（“{text}”），引擎永远不会匹配。请改写为 {suggest}。",
    ),
    # -- what SpiffWorkflow refused ------------------------------------------------------------
    "engine_refused": (
        "{what} cannot be run: {reason} {advice}",
        "{what_zh}无法运行：{reason_zh}{advice_zh}",
    ),
    "engine_loop": (
        (
            'The engine cannot follow the process "{process}" near {what}: the process is too '
            "long, or a loop leads straight back into a task or event. Route every loop back "
            "through an exclusive gateway, and split very long processes with call activities."
        ),
        (
            "引擎无法处理流程“{process}”中{what_zh}附近的部分：流程过长，或有循环直接连回任务或事件。"
            "请让每个循环都经过排他网关返回，并用调用活动拆分过长的流程。"
        ),
    ),
}

# The end of "dmn_unused" when the application evaluates some decisions itself ({decisions}).
DMN_UNUSED_OWN = (
    " Only the decisions the application evaluates itself may be uploaded alone: {decisions}.",
    "只有本系统自行执行的决策可以单独上传：{decisions}。",
)

# Sentences about single elements live beside these; one catalog for the Report.
MESSAGES.update(ELEMENT_MESSAGES)
