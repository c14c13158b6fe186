"""Every sentence a deployment problem can say, as (English, Simplified Chinese) templates."""

from __future__ import annotations

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

_REWRITE = (
    "Model an automatic step as a script task written in Python (it can use the "
    "functions the application provides), or as a user task if a person does it."
)
_REWRITE_ZH = (
    "请把自动步骤画成用 Python 编写的脚本任务（可使用应用提供的函数），如果由人完成则画成用户任务。"
)

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
            "together with the diagram whose business rule task refers to it."
        ),
        "本次上传中没有流程使用 {file} 中的决策“{decision}”。请与引用它的业务规则任务所在的流程图一起上传。",
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
    # -- what the engine cannot run -----------------------------------------------------------
    "service_task": (
        "{what} {how}, which Aftersales cannot run. " + _REWRITE,
        "{what_zh}{how_zh}，Aftersales 无法运行。" + _REWRITE_ZH,
    ),
    "send_no_message": (
        (
            "{what} does not name a message to send. Choose a message in the properties panel, "
            "or change it to a plain task if it only stands for work done by hand."
        ),
        "{what_zh}没有指定要发送的消息。请在属性面板中选择消息；如果只是表示手工完成的工作，请改为普通任务。",
    ),
    "receive_no_message": (
        "{what} does not name the message it waits for. Choose a message in the properties panel.",
        "{what_zh}没有指定要等待的消息。请在属性面板中选择消息。",
    ),
    "message_unnamed": (
        (
            "{what} does not refer to a named message. Choose a message and give it a name in the "
            "properties panel: processes send and receive messages by their name."
        ),
        "{what_zh}没有引用有名称的消息。请在属性面板中选择消息并为其命名：流程之间按消息名称收发消息。",
    ),
    "message_expression": (
        '{what} computes its message name with an expression ("{text}"). Use a fixed message name.',
        "{what_zh}用表达式计算消息名称（“{text}”）。请使用固定的消息名称。",
    ),
    "boundary_no_event": (
        "{what} has no trigger. Choose what it waits for (timer, message, error, ...) or delete it.",
        "{what_zh}没有触发条件。请选择它等待的内容（定时器、消息、错误等），或删除它。",
    ),
    "complex_gateway": (
        (
            "{what} cannot be run: the engine does not support complex gateways. Use an inclusive "
            "or exclusive gateway with conditions instead."
        ),
        "{what_zh}无法运行：引擎不支持复杂网关。请改用带条件的包容网关或排他网关。",
    ),
    "adhoc_subprocess": (
        (
            "{what} cannot be run: the engine does not support ad-hoc sub-processes. Draw its "
            "steps in order, or in parallel behind a parallel gateway."
        ),
        "{what_zh}无法运行：引擎不支持临时子流程。请把其中的步骤按顺序画出，或放在并行网关之后并行执行。",
    ),
    "compensation": (
        (
            "{what} uses compensation, which the engine cannot run. Draw the undo steps as "
            "normal tasks after an error boundary event or an exclusive gateway."
        ),
        "{what_zh}使用了补偿，引擎无法运行。请在错误边界事件或排他网关之后，把撤销步骤画成普通任务。",
    ),
    "link_unmatched": (
        (
            '{what} jumps to the link "{link}", but no catching link event in the same process '
            "has that name. Give the matching link events the same name."
        ),
        "{what_zh}跳转到链接“{link}”，但同一流程中没有同名的捕获链接事件。请让对应的链接事件使用相同名称。",
    ),
    "listener": (
        (
            "{what} has {kind} listener, which the engine does not run. Move that work into a "
            "script task in the flow, and remove the listener."
        ),
        "{what_zh}带有{kind_zh}监听器，引擎不会运行它。请把这部分工作移到流程中的脚本任务里，并删除监听器。",
    ),
    "input_output": (
        (
            "{what} has input/output mappings (camunda:inputOutput), which the engine does not "
            "apply. Compute the values in a script task before or after it, and remove the mappings."
        ),
        "{what_zh}带有输入/输出映射（camunda:inputOutput），引擎不会执行。请在其前后的脚本任务中计算这些值，并删除映射。",
    ),
    "zeebe": (
        (
            "{what} uses Camunda 8 (Zeebe) settings ({names}), which Aftersales does not read: it "
            "runs Camunda 7 diagrams. Open the diagram as a Camunda 7 (Platform) diagram and set "
            "the equivalent properties there."
        ),
        (
            "{what_zh}使用了 Camunda 8（Zeebe）设置（{names}），Aftersales 不读取这些设置：它运行 Camunda 7 流程图。"
            "请以 Camunda 7（Platform）流程图打开，并在其中设置相应属性。"
        ),
    ),
    "initiator": (
        (
            '{what} stores the starting user in "{variable}" (camunda:initiator), which is not '
            "supported. Remove it: tasks that name no role or assignee go to the person who "
            "started the case."
        ),
        "{what_zh}把发起人存入“{variable}”（camunda:initiator），不受支持。请删除该设置：未指定角色或处理人的任务会分配给发起案件的人。",
    ),
    # -- forms and people ---------------------------------------------------------------------
    "form_prefixed": (
        (
            '{what} uses the form "{key}". Aftersales forms are form-js JSON files (.form) '
            'uploaded together with the diagram: set "Form key" to the form\'s id (for example '
            '"{suggest}") and upload that .form file.'
        ),
        (
            "{what_zh}使用表单“{key}”。Aftersales 的表单是与流程图一起上传的 form-js JSON 文件（.form）："
            "请把“表单键”设为表单的 id（例如“{suggest}”），并上传该 .form 文件。"
        ),
    ),
    "form_unknown": (
        (
            '{what} uses the form "{key}", but no uploaded or deployed form has that id. Upload '
            'the .form file together with the diagram, or correct "Form key".'
        ),
        "{what_zh}使用表单“{key}”，但没有已上传或已部署的表单使用该 id。请把 .form 文件与流程图一起上传，或修改“表单键”。",
    ),
    "generated_form": (
        (
            "{what} defines form fields in the diagram (camunda:formData), which Aftersales does "
            'not show. Build the form in the form editor, upload the .form file and set "Form '
            'key" to its id.'
        ),
        (
            "{what_zh}在流程图中定义了表单字段（camunda:formData），Aftersales 不会显示它们。请在表单编辑器中制作表单，"
            "上传 .form 文件并把“表单键”设为其 id。"
        ),
    ),
    "candidate_groups_expression": (
        (
            '{what} computes its candidate groups with an expression ("{text}"). List the role '
            'keys instead (for example "repair_tech, supervisor"), or compute a user name and '
            'put it in "Assignee" as ${{name}}.'
        ),
        (
            "{what_zh}用表达式计算候选组（“{text}”）。请直接列出角色键（例如“repair_tech, supervisor”），"
            "或算出用户名后在“处理人”中写 ${{name}}。"
        ),
    ),
    "candidate_users": (
        (
            "{what} names candidate users, which Aftersales does not support. Use candidate "
            "groups (role keys) or one assignee."
        ),
        "{what_zh}指定了候选用户，Aftersales 不支持。请使用候选组（角色键）或一个处理人。",
    ),
    "starter_users": (
        (
            "{what} limits who may start it by user name (candidateStarterUsers), which Aftersales "
            'does not support. Use "Candidate starter groups" with role keys.'
        ),
        "{what_zh}按用户名限制发起人（candidateStarterUsers），Aftersales 不支持。请在“候选发起组”中填写角色键。",
    ),
    # -- expressions ----------------------------------------------------------------------
    "expression_empty": (
        "The {role} of {what} is empty. Fill it in in the properties panel.",
        "{what_zh}的{role_zh}为空，请在属性面板中填写。",
    ),
    "expression_refused": (
        'The {role} of {what} ("{text}") cannot be used: {reason}',
        "{what_zh}的{role_zh}（“{text}”）无法使用：{reason_zh}",
    ),
    "juel_unsupported": (
        (
            'The {role} of {what} ("{text}") uses Camunda expression features the engine cannot '
            "evaluate. {hint}"
        ),
        "{what_zh}的{role_zh}（“{text}”）使用了引擎无法计算的 Camunda 表达式功能。{hint_zh}",
    ),
    "feel_expression": (
        (
            'The {role} of {what} ("{text}") is written in FEEL (Camunda 8). Write it as a '
            "Camunda 7 expression such as ${{approved}}, or as a Python expression."
        ),
        "{what_zh}的{role_zh}（“{text}”）是 FEEL 写法（Camunda 8）。请写成 Camunda 7 表达式（例如 ${{approved}}）或 Python 表达式。",
    ),
    "condition_language": (
        (
            "The condition of {what} is written in {language}. Write it as an expression such as "
            "${{approved}} (or in Python) and clear the script language."
        ),
        "{what_zh}的条件使用 {language} 编写。请写成表达式（例如 ${{approved}}）或 Python，并清除脚本语言设置。",
    ),
    "external_resource": (
        (
            "{what} loads its script from an external resource, which is not supported. Paste the "
            "script (in Python) into the diagram."
        ),
        "{what_zh}从外部资源加载脚本，不受支持。请把 Python 脚本直接写在流程图中。",
    ),
    "script_language": (
        (
            "{what} is written in {language}; the engine runs Python only. Rewrite the script in "
            'Python and set the script format to "python".'
        ),
        "{what_zh}使用 {language} 编写；引擎只运行 Python。请用 Python 重写脚本，并把脚本格式设为“python”。",
    ),
    "script_missing": (
        (
            "{what} has no script. Write the script (in Python) in the properties panel, or change "
            "the element to a plain task."
        ),
        "{what_zh}没有脚本。请在属性面板中编写 Python 脚本，或将其改为普通任务。",
    ),
    "script_refused": (
        "Line {script_line} of the script of {what} cannot be run: {reason}",
        "{what_zh}的脚本第 {script_line} 行无法运行：{reason_zh}",
    ),
    "script_result_variable": (
        (
            '{what} sets a result variable ("{variable}"), which the engine does not fill. '
            "Assign the variable inside the script instead, e.g. {variable} = ..."
        ),
        "{what_zh}设置了结果变量（“{variable}”），引擎不会填写。请在脚本中直接赋值，例如 {variable} = ...",
    ),
    "timer_missing": (
        (
            "{what} does not say when it fires. Set a date, a duration (for example PT4H) or a "
            "cycle (for example R3/PT1H) in the properties panel."
        ),
        "{what_zh}没有设置触发时间。请在属性面板中设置日期、时长（例如 PT4H）或周期（例如 R3/PT1H）。",
    ),
    "timer_cron": (
        (
            '{what} uses the cron expression "{text}", which the engine does not support. Write '
            "the repetition in ISO 8601, for example R/PT5M for every five minutes."
        ),
        "{what_zh}使用了 cron 表达式“{text}”，引擎不支持。请用 ISO 8601 写重复周期，例如每五分钟写 R/PT5M。",
    ),
    "timer_literal": (
        (
            '{what} has the timer value "{text}", which is not {kind}. Correct the value, or '
            "choose the matching timer type."
        ),
        "{what_zh}的定时器值“{text}”不是{kind_zh}。请修改取值，或选择相应的定时器类型。",
    ),
    "timer_cycle": (
        (
            '{what} is a cycle timer with the value "{text}"; a cycle needs a repeat count, '
            "{kind}. Add the R… part, or make it a duration timer."
        ),
        "{what_zh}是周期定时器，取值为“{text}”；周期需要重复次数，{kind_zh}。请加上 R… 部分，或改为时长定时器。",
    ),
    "mi_no_collection": (
        (
            '{what} repeats for several items but does not say for which. Set "Collection" to '
            'the name of a list in the case data (and "Element variable"), or set "Loop cardinality".'
        ),
        "{what_zh}被设为多实例，但没有说明针对哪些数据。请把“集合”设为案件数据中某个列表的名称（并设置“元素变量”），或设置“循环基数”。",
    ),
    "mi_collection_name": (
        (
            '{what} takes its items from "{text}"; the collection must be the name of a list in '
            "the case data, such as ${{items}} or items."
        ),
        "{what_zh}从“{text}”取元素；集合必须是案件数据中某个列表的名称，例如 ${{items}} 或 items。",
    ),
    "loop_no_condition": (
        "{what} loops but has neither a loop condition nor a loop maximum. Set one of them.",
        "{what_zh}设置了循环，但既没有循环条件也没有最大次数。请设置其中之一。",
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
