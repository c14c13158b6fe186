"""Sentences about single elements: what the engine cannot run, forms and people, expressions."""

from __future__ import annotations

_REWRITE = (
    "Model an automatic step as a script task written in Python (it can use the "
    "functions the application provides), or as a user task if a person does it."
)
_REWRITE_ZH = (
    "请把自动步骤画成用 Python 编写的脚本任务（可使用应用提供的函数），如果由人完成则画成用户任务。"
)

ELEMENT_MESSAGES: dict[str, tuple[str, str]] = {
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
}
