"""What a failed or refused diagram expression says, in English and Simplified Chinese.

Each sentence says what went wrong and what to change; `render` fills in the line and subject.
"""

from __future__ import annotations

from typing import Any

# kind -> (English, Chinese). {at} is " (line N)" when a line helps; {subject} is script/expression.
MESSAGES: dict[str, tuple[str, str]] = {
    "syntax": (
        "The {subject} has a syntax error{at}: {detail}. Correct it in the diagram.",
        "{subject_zh}有语法错误{at_zh}：{detail}。请在流程图中改正。",
    ),
    "import": (
        "The {subject} uses 'import'{at}, which is not allowed in diagrams. "
        "Move the logic into a registered function.",
        "{subject_zh}使用了 import{at_zh}，流程图中不允许。请改用已注册的函数。",
    ),
    "forbidden": (
        "The {subject} uses '{name}'{at}, which is not allowed in diagrams. "
        "Move the logic into a registered function.",
        "{subject_zh}使用了 {name}{at_zh}，流程图中不允许。请改用已注册的函数。",
    ),
    "private": (
        "The {subject} uses '{name}'{at}. Names starting with '_' are internal and not "
        "allowed in diagrams.",
        "{subject_zh}使用了 {name}{at_zh}。以 _ 开头的名称属于内部名称，流程图中不允许。",
    ),
    "format": (
        "The {subject} uses '.format()'{at}, which is not allowed in diagrams. "
        "Use an f-string instead.",
        "{subject_zh}使用了 .format(){at_zh}，流程图中不允许。请改用 f 字符串。",
    ),
    "bare_except": (
        "The {subject} uses 'except:' without an exception type{at}. "
        "Write 'except Exception:' instead.",
        "{subject_zh}使用了未指定异常类型的 except{at_zh}。请改为 except Exception:。",
    ),
    "class": (
        "The {subject} defines a class{at}, which is not allowed in diagrams. "
        "Use dicts, or move the logic into a registered function.",
        "{subject_zh}定义了类{at_zh}，流程图中不允许。请使用字典，或改用已注册的函数。",
    ),
    "restricted": (
        "The {subject} uses something that is not allowed in diagrams{at}: {detail}",
        "{subject_zh}使用了流程图中不允许的写法{at_zh}：{detail}",
    ),
    "undefined": (
        "Name '{name}' is not defined{at}. Check the variable name or set it in an earlier task.",
        "名称 '{name}' 未定义{at_zh}。请检查变量名，或在之前的任务中设置它。",
    ),
    "timeout": (
        "The {subject} took longer than {limit} s and was stopped{at}. "
        "Check for a loop that never ends.",
        "{subject_zh}运行超过 {limit} 秒，已被停止{at_zh}。请检查是否有不会结束的循环。",
    ),
    "memory": (
        "The {subject} used more than 256 MB of memory and was stopped{at}. Work on "
        "smaller pieces of data, or move the logic into a registered function.",
        "{subject_zh}占用内存超过 256 MB，已被停止{at_zh}。请分批处理数据，或改用已注册的函数。",
    ),
    "too_large": (
        "The {subject} tried to build a value that is too large{at} ({name}). Keep texts "
        "and lists under 1,000,000 items and numbers under 30,000 digits.",
        "{subject_zh}试图生成过大的值{at_zh}（{name}）。文本和列表请少于 1,000,000 项，"
        "数字请少于 30,000 位。",
    ),
    "mutation": (
        "An expression cannot change data{at} ('.{name}()'). Change data in a script task instead.",
        "表达式不能修改数据{at_zh}（.{name}()）。请在脚本任务中修改数据。",
    ),
    "shadowed": (
        "The task data has a field '{name}' with the same name as a registered function. "
        "Rename the field.",
        "任务数据中的字段 '{name}' 与已注册函数同名。请重命名该字段。",
    ),
    "reserved": (
        "The script assigns to '{name}', which is the name of a registered function. "
        "Choose another variable name.",
        "脚本给 '{name}' 赋值，但这是已注册函数的名称。请换一个变量名。",
    ),
    "not_plain": (
        "The script left {name} in '{detail}'. Task data can only hold plain data: "
        "text, numbers, dates, lists and dicts.",
        "脚本在 '{detail}' 中留下了{name_zh}。任务数据只能保存普通数据：文本、数字、"
        "日期、列表和字典。",
    ),
    "bad_result": (
        "The expression returned {name}; it must return plain data: text, numbers, "
        "dates, lists or dicts.",
        "表达式返回了{name_zh}；必须返回普通数据：文本、数字、日期、列表或字典。",
    ),
    "key": (
        "Key {name} was not found{at}. Check that the field exists in the task data.",
        "找不到键 {name}{at_zh}。请确认任务数据中有该字段。",
    ),
    "index": (
        "A list position is out of range{at}. Check the length of the list first.",
        "列表位置超出范围{at_zh}。请先检查列表长度。",
    ),
    "zero": ("Division by zero{at}. Check the divisor first.", "除数为零{at_zh}。请先检查除数。"),
    "attribute": (
        "The value has no attribute '{name}'{at}. Check the spelling; for dict fields "
        "write data['{name}'].",
        "该值没有属性 '{name}'{at_zh}。请检查拼写；字典字段请写 data['{name}']。",
    ),
    "failed": ("The {subject} failed{at}: {detail}.", "{subject_zh}执行失败{at_zh}：{detail}。"),
}


def render(kind: str, source: str, mode: str, line: int | None, **fields: Any) -> tuple[str, str]:
    """The (English, Chinese) message of `kind` for a script (mode "exec") or an expression."""
    english, chinese = MESSAGES[kind]
    # A line number only helps when there is more than one line to choose from.
    show = line is not None and (mode == "exec" or "\n" in source.strip())
    values = {
        "subject": "script" if mode == "exec" else "expression",
        "subject_zh": "脚本" if mode == "exec" else "表达式",
        "at": f" (line {line})" if show else "",
        "at_zh": f"（第 {line} 行）" if show else "",
        "name": "",
        "name_zh": "",
        "detail": "",
        "limit": "",
        **fields,
    }
    return english.format(**values), chinese.format(**values)
