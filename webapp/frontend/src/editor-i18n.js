// Chinese texts for the bpmn.io editors. bpmn-js, its properties panel and dmn-js pass every
// text they show through a `translate(template, replacements)` service keyed by the English
// template; on a Chinese page (<html lang="zh-CN">, the default) the editors get one that looks
// the template up here. A template missing here stays English, never a key. English pages keep
// the libraries' own texts. form-js-editor 1.23 has no translate hook: the form editor stays English.

/** True when the page is shown in Chinese (base.html sets <html lang>). */
export function isChinese() {
  return (document.documentElement.lang || 'zh-CN').toLowerCase().startsWith('zh');
}

/** A translate function: the dictionary's text (else the template), then `{name}` replaced. */
export function makeTranslate(dictionary) {
  return function translate(template, replacements) {
    const text = Object.prototype.hasOwnProperty.call(dictionary, template)
      ? dictionary[template]
      : template;
    const values = replacements || {};
    return String(text).replace(/{([^}]+)}/g, (whole, key) =>
      Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole,
    );
  };
}

/** The didi module overriding the editors' `translate` service with `dictionary`. */
export function translateModule(dictionary) {
  return { translate: ['value', makeTranslate(dictionary)] };
}

// --- texts both editors show (diagram-js tools and context pad) -----------------------------
const COMMON = {
  'Activate hand tool': '激活抓手工具',
  'Activate lasso tool': '激活套索工具',
  'Activate create/remove space tool': '激活创建/删除空间工具',
  'Activate global connect tool': '激活全局连接工具',
  'Add text annotation': '添加文本注释',
  'Connect to other element': '连接到其他元素',
  Delete: '删除',
  'Search in diagram': '在图中搜索',
};

// --- bpmn-js: palette, context pad, replace menu ---------------------------------------------
const BPMN_MODELING = {
  'Create start event': '创建开始事件',
  'Create intermediate/boundary event': '创建中间/边界事件',
  'Create end event': '创建结束事件',
  'Create gateway': '创建网关',
  'Create task': '创建任务',
  'Create data object reference': '创建数据对象引用',
  'Create data store reference': '创建数据存储引用',
  'Create expanded sub-process': '创建展开的子流程',
  'Create pool/participant': '创建池/参与者',
  'Create group': '创建分组',
  'Append end event': '追加结束事件',
  'Append gateway': '追加网关',
  'Append task': '追加任务',
  'Append intermediate/boundary event': '追加中间/边界事件',
  'Append receive task': '追加接收任务',
  'Append message intermediate catch event': '追加消息中间捕获事件',
  'Append timer intermediate catch event': '追加定时器中间捕获事件',
  'Append conditional intermediate catch event': '追加条件中间捕获事件',
  'Append signal intermediate catch event': '追加信号中间捕获事件',
  'Append compensation activity': '追加补偿活动',
  'Change element': '更改元素',
  'Connect using association': '使用关联连接',
  'Connect using data input association': '使用数据输入关联连接',
  'Add lane above': '在上方添加泳道',
  'Add lane below': '在下方添加泳道',
  'Divide into two lanes': '拆分为两个泳道',
  'Divide into three lanes': '拆分为三个泳道',
  'Align elements': '对齐元素',
  'Align elements left': '左对齐',
  'Align elements center': '水平居中对齐',
  'Align elements right': '右对齐',
  'Align elements top': '顶端对齐',
  'Align elements middle': '垂直居中对齐',
  'Align elements bottom': '底端对齐',
  'Distribute elements horizontally': '水平分布元素',
  'Distribute elements vertically': '垂直分布元素',
  'Open {element}': '打开 {element}',
  'Parallel multi-instance': '并行多实例',
  'Sequential multi-instance': '串行多实例',
  Loop: '循环',
  Collection: '集合',
  'Participant multiplicity': '参与者多重性',
  'Toggle non-interrupting': '切换非中断',

  // replace menu entries
  Task: '任务',
  'User task': '用户任务',
  'Service task': '服务任务',
  'Send task': '发送任务',
  'Receive task': '接收任务',
  'Manual task': '手工任务',
  'Business rule task': '业务规则任务',
  'Script task': '脚本任务',
  'Call activity': '调用活动',
  'Sub-process': '子流程',
  'Sub-process (collapsed)': '子流程（折叠）',
  'Sub-process (expanded)': '子流程（展开）',
  'Ad-hoc sub-process': '自由子流程',
  'Ad-hoc sub-process (collapsed)': '自由子流程（折叠）',
  'Ad-hoc sub-process (expanded)': '自由子流程（展开）',
  'Event sub-process': '事件子流程',
  Transaction: '事务',
  'Exclusive gateway': '排他网关',
  'Parallel gateway': '并行网关',
  'Inclusive gateway': '包容网关',
  'Complex gateway': '复杂网关',
  'Event-based gateway': '事件网关',
  'Event based instantiating Gateway': '基于事件的实例化网关',
  'Parallel Event based instantiating Gateway': '基于事件的并行实例化网关',
  'Sequence flow': '顺序流',
  'Default flow': '默认流',
  'Conditional flow': '条件流',
  'Expanded pool/participant': '展开的池/参与者',
  'Empty pool/participant': '空的池/参与者',
  'Empty pool/participant (removes content)': '空的池/参与者（删除内容）',
  'Data object reference': '数据对象引用',
  'Data store reference': '数据存储引用',
  'Start event': '开始事件',
  'Intermediate throw event': '中间抛出事件',
  'End event': '结束事件',
  'Boundary event': '边界事件',
  'Terminate end event': '终止结束事件',
  'Cancel end event': '取消结束事件',
  'Cancel boundary event': '取消边界事件',
  'Link intermediate catch event': '链接中间捕获事件',
  'Link intermediate throw event': '链接中间抛出事件',
};

// "<kind> <event> event" labels of the replace menu, e.g. 'Timer start event': '定时器开始事件'
const EVENT_KINDS = {
  Message: '消息',
  Timer: '定时器',
  Conditional: '条件',
  Signal: '信号',
  Error: '错误',
  Escalation: '升级',
  Compensation: '补偿',
};
const EVENT_PLACES = {
  'start event': '开始事件',
  'intermediate catch event': '中间捕获事件',
  'intermediate throw event': '中间抛出事件',
  'end event': '结束事件',
  'boundary event': '边界事件',
};
for (const [kind, kindZh] of Object.entries(EVENT_KINDS)) {
  for (const [place, placeZh] of Object.entries(EVENT_PLACES)) {
    BPMN_MODELING[`${kind} ${place}`] = kindZh + placeZh;
    BPMN_MODELING[`${kind} ${place} (non-interrupting)`] = `${kindZh}${placeZh}（非中断）`;
  }
}

// --- bpmn-js-properties-panel header: the element's type, e.g. "User Task" -------------------
const TYPE_LABELS = {
  Process: '流程',
  Collaboration: '协作',
  Participant: '参与者',
  Lane: '泳道',
  Group: '分组',
  'Text Annotation': '文本注释',
  Association: '关联',
  'Data Object Reference': '数据对象引用',
  'Data Store Reference': '数据存储引用',
  'Data Input Association': '数据输入关联',
  'Data Output Association': '数据输出关联',
  'Message Flow': '消息流',
  'Sequence Flow': '顺序流',
  'Default Flow': '默认流',
  'Conditional Flow': '条件流',
  Task: '任务',
  'User Task': '用户任务',
  'Service Task': '服务任务',
  'Send Task': '发送任务',
  'Receive Task': '接收任务',
  'Manual Task': '手工任务',
  'Business Rule Task': '业务规则任务',
  'Script Task': '脚本任务',
  'Call Activity': '调用活动',
  'Collapsed Sub Process': '子流程（折叠）',
  'Expanded Sub Process': '子流程（展开）',
  'Event Sub Process': '事件子流程',
  'Collapsed Ad Hoc Sub Process': '自由子流程（折叠）',
  'Expanded Ad Hoc Sub Process': '自由子流程（展开）',
  Transaction: '事务',
  'Exclusive Gateway': '排他网关',
  'Parallel Gateway': '并行网关',
  'Inclusive Gateway': '包容网关',
  'Complex Gateway': '复杂网关',
  'Event Based Gateway': '事件网关',
};
const TYPE_EVENTS = {
  'Start Event': '开始事件',
  'Intermediate Catch Event': '中间捕获事件',
  'Intermediate Throw Event': '中间抛出事件',
  'End Event': '结束事件',
  'Boundary Event': '边界事件',
};
const TYPE_EVENT_KINDS = {
  ...EVENT_KINDS,
  Compensate: '补偿',
  Cancel: '取消',
  Link: '链接',
  Terminate: '终止',
};
for (const [event, eventZh] of Object.entries(TYPE_EVENTS)) {
  TYPE_LABELS[event] = eventZh;
  for (const [kind, kindZh] of Object.entries(TYPE_EVENT_KINDS)) {
    TYPE_LABELS[`${kind} ${event}`] = kindZh + eventZh;
    TYPE_LABELS[`${kind} ${event} (Non Interrupting)`] = `${kindZh}${eventZh}（非中断）`;
  }
}

// --- bpmn-js-properties-panel (Camunda 7): groups, entries, options ---------------------------
const PROPERTIES = {
  // panel chrome (@bpmn-io/properties-panel)
  'Select an element to edit its properties.': '选择一个元素以编辑其属性。',
  'Multiple elements are selected. Select a single element to edit its properties.':
    '已选择多个元素。请只选择一个元素以编辑其属性。',
  'Toggle section': '展开/折叠此部分',
  'Section contains edits': '此部分有修改',
  'Section contains an error': '此部分有错误',
  'Create new list item': '新建列表项',
  'Toggle list item': '展开/折叠列表项',
  'Delete item': '删除此项',
  Create: '新建',
  'List contains {numOfItems} item': '列表包含 {numOfItems} 项',
  'List contains {numOfItems} items': '列表包含 {numOfItems} 项',
  'Open documentation': '打开文档',
  'Open pop-up editor': '在弹出编辑器中打开',
  'Opened in editor': '已在编辑器中打开',
  '<empty>': '<空>',
  '<none>': '<无>',

  'This maps to the process definition key.': '即流程定义键（process definition key）。',

  // groups
  General: '常规',
  Documentation: '文档',
  'Extension properties': '扩展属性',
  'User assignment': '用户分配',
  Forms: '表单',
  Form: '表单',
  'Form fields': '表单字段',
  Condition: '条件',
  Timer: '定时器',
  'Multi-instance': '多实例',
  Inputs: '输入',
  Outputs: '输出',
  'Asynchronous continuations': '异步延续',
  'Job execution': '作业执行',
  'Execution listeners': '执行监听器',
  'Task listeners': '任务监听器',
  'Field injections': '字段注入',
  'Connector inputs': '连接器输入',
  'Connector outputs': '连接器输出',
  'History cleanup': '历史清理',
  'Candidate starter': '候选发起人',
  Tasklist: '任务列表',
  'External task': '外部任务',
  Implementation: '实现',
  'In mappings': '输入映射',
  'Out mappings': '输出映射',
  'Business key': '业务键',
  Message: '消息',
  Signal: '信号',
  Error: '错误',
  Errors: '错误',
  Escalation: '升级',
  Compensation: '补偿',
  Link: '链接',
  'Called element': '被调用元素',

  // General
  Name: '名称',
  ID: 'ID',
  'Participant ID': '参与者 ID',
  'Participant Name': '参与者名称',
  'Process ID': '流程 ID',
  'Process name': '流程名称',
  'Version tag': '版本标签',
  Executable: '可执行',
  'ID must not be empty.': 'ID 不能为空。',
  'ID must be unique.': 'ID 必须唯一。',
  'ID must not contain spaces.': 'ID 不能包含空格。',
  'ID must not contain prefix.': 'ID 不能包含前缀。',
  'ID must be a valid QName.': 'ID 必须是有效的 QName。',
  'Element documentation': '元素文档',
  'Process documentation': '流程文档',
  Startable: '可启动',
  'Time to live': '存活时间',
  'Candidate starter groups': '候选发起组',
  'Candidate starter users': '候选发起用户',
  Initiator: '发起人',
  'Start initiator': '发起人变量',

  // Extension properties, lists of key/value pairs
  Properties: '属性',
  Key: '键',
  Value: '值',
  Values: '值',
  Label: '标签',
  Type: '类型',
  'Default value': '默认值',
  Constraints: '约束',
  Config: '配置',
  Source: '来源',
  Target: '目标',
  Local: '局部',

  // User assignment
  Assignee: '处理人',
  'Candidate groups': '候选组',
  'Candidate users': '候选用户',
  'Due date': '到期日期',
  'Follow up date': '跟进日期',
  Priority: '优先级',
  'Specify more than one group as a comma separated list.': '多个组用英文逗号分隔。',
  'Specify more than one user as a comma separated list.': '多个用户用英文逗号分隔。',
  'The due date as an EL expression (e.g. ${someDate}) or an ISO date (e.g. 2015-06-26T09:54:00).':
    '到期日期，可以是 EL 表达式（例如 ${someDate}）或 ISO 日期（例如 2015-06-26T09:54:00）。',
  'The follow up date as an EL expression (e.g. ${someDate}) or an ISO date (e.g. 2015-06-26T09:54:00).':
    '跟进日期，可以是 EL 表达式（例如 ${someDate}）或 ISO 日期（例如 2015-06-26T09:54:00）。',

  // Forms
  'Form key': '表单键',
  'Form reference': '表单引用',
  'Custom form key': '自定义表单键',
  'Camunda Forms': 'Camunda 表单',
  'Embedded or External Task Forms': '嵌入式或外部任务表单',
  'Generated Task Forms': '生成的任务表单',
  Binding: '绑定方式',
  Version: '版本',
  latest: '最新版本',
  deployment: '同一部署',
  version: '指定版本',
  'version tag': '指定版本标签',
  'Form field': '表单字段',
  'Custom type': '自定义类型',
  '<custom type>': '<自定义类型>',
  string: '字符串',
  long: '长整数',
  boolean: '布尔值',
  date: '日期',
  enum: '枚举',

  // Condition
  'Condition Expression': '条件表达式',
  'Condition expression': '条件表达式',
  'Condition type': '条件类型',
  Expression: '表达式',
  Script: '脚本',
  Format: '格式',
  'Script type': '脚本类型',
  'Inline script': '内联脚本',
  'External resource': '外部资源',
  Resource: '资源',
  'Variable name': '变量名',
  'Variable events': '变量事件',

  // Timer
  Date: '日期',
  Duration: '持续时间',
  Cycle: '循环周期',
  'A specific point in time defined as ISO 8601 combined date and time representation.':
    '一个具体时间点，按 ISO 8601 日期时间格式填写。',
  'A time duration defined as ISO 8601 durations format.': '一段时长，按 ISO 8601 持续时间格式填写。',
  'A cycle defined as ISO 8601 repeating intervals format, or a cron expression.':
    '一个循环周期，按 ISO 8601 重复间隔格式或 cron 表达式填写。',
  'A cycle defined as ISO 8601 repeating intervals format.': '一个循环周期，按 ISO 8601 重复间隔格式填写。',
  'How to configure a timer': '如何配置定时器',
  'Documentation: Timer events': '文档：定时器事件',

  // Multi-instance
  'Loop cardinality': '循环基数',
  'Element variable': '元素变量',
  'Completion condition': '完成条件',

  // Inputs / outputs
  'Local variable name': '局部变量名',
  'Process variable name': '流程变量名',
  'Assignment type': '赋值类型',
  'String or expression': '字符串或表达式',
  List: '列表',
  Map: '映射',
  'Map entries': '映射条目',
  'List values': '列表值',
  'Variable assignment value': '变量赋值',
  'Start typing "${}" to create an expression.': '输入 "${}" 以创建表达式。',

  // Asynchronous continuations, job execution
  Before: '之前',
  After: '之后',
  'Asynchronous before': '异步前置',
  'Asynchronous after': '异步后置',
  Exclusive: '排他',
  'Retry time cycle': '重试时间周期',
  Topic: '主题',
  Retries: '重试次数',

  // Implementation (service, script, business rule tasks), decision reference
  'Implementation type': '实现类型',
  'Java class': 'Java 类',
  'Delegate expression': '委托表达式',
  DMN: 'DMN',
  External: '外部',
  Connector: '连接器',
  'Connector ID': '连接器 ID',
  'Result variable': '结果变量',
  'Decision reference': '决策引用',
  'Map decision result': '决策结果映射',
  'Tenant ID': '租户 ID',
  'collectEntries (List<Object>)': 'collectEntries（List<Object>，多行单列）',
  'resultList (List<Map<String, Object>>)': 'resultList（List<Map<String, Object>>，多行多列）',
  'singleEntry (TypedValue)': 'singleEntry（TypedValue，单行单列）',
  'singleResult (Map<String, Object>)': 'singleResult（Map<String, Object>，单行多列）',

  // Call activity
  CMMN: 'CMMN',
  BPMN: 'BPMN',
  'Case ref': '案例引用',
  'Business key expression': '业务键表达式',
  'Delegate Variable Mapping': '委托变量映射',
  'Delegate Class': '委托类',
  'Delegate Expression': '委托表达式',
  'Propagate all variables': '传递所有变量',
  'In mapping propagation': '输入映射传递',
  'Out mapping propagation': '输出映射传递',
  'Propagate all parent process variables': '传递父流程的所有变量',
  'Propagate all child process variables': '传递子流程的所有变量',
  'Deployment binding': '部署绑定',
  'Source expression': '源表达式',

  // Messages, signals, errors, escalations
  'Global message reference': '全局消息引用',
  'Global signal reference': '全局信号引用',
  'Global error reference': '全局错误引用',
  'Global escalation reference': '全局升级引用',
  'Create new ...': '新建…',
  Code: '代码',
  'Code variable': '代码变量',
  'Message variable': '消息变量',
  'Throw expression': '抛出表达式',
  'Wait for completion': '等待完成',
  'Activity reference': '活动引用',

  // listeners
  'Event type': '事件类型',
  'Listener ID': '监听器 ID',
  'Listener type': '监听器类型',
  start: '开始',
  end: '结束',
  take: '经过',
  create: '创建',
  assignment: '分配',
  complete: '完成',
  delete: '删除',
  update: '更新',
  timeout: '超时',
  'Field injection': '字段注入',
};

// --- dmn-js: DRD, decision table, literal expression -----------------------------------------
const DMN = {
  'Create decision': '创建决策',
  'Create input data': '创建输入数据',
  'Create knowledge model': '创建业务知识模型',
  'Create knowledge source': '创建知识源',
  'Append decision': '追加决策',
  'Append input data': '追加输入数据',
  'Append business knowledge model': '追加业务知识模型',
  'Append knowledge source': '追加知识源',
  'Change type': '更改类型',
  'Definition ID': '定义 ID',
  'Definition name': '定义名称',
  'View DRD': '查看 DRD',
  Resize: '调整大小',

  // decision table head and hit policy
  'Decision name': '决策名称',
  'Decision name: ': '决策名称：',
  'Hit policy': '命中策略',
  'Hit policy:': '命中策略：',
  Unique: '唯一',
  First: '首个',
  Priority: '优先级',
  Any: '任意',
  Collect: '收集',
  'Collect (Sum)': '收集（求和）',
  'Collect (Min)': '收集（最小值）',
  'Collect (Max)': '收集（最大值）',
  'Collect (Count)': '收集（计数）',
  'Rule order': '规则顺序',
  'Output order': '输出顺序',
  'No overlap is possible and all rules are disjoint. Only a single rule can be matched':
    '规则互不重叠，只能匹配一条规则',
  'Rules may overlap. The first matching rule will be chosen': '规则可以重叠，取第一条匹配的规则',
  'Rules may overlap. The one with the highest priority will be chosen':
    '规则可以重叠，取优先级最高的规则',
  'Rules may overlap. Their output have to match': '规则可以重叠，但它们的输出必须相同',
  'Collects the values of all matching rules': '收集所有匹配规则的值',
  'Collects the values of all matching rules and sums up to a single value':
    '收集所有匹配规则的值并求和',
  'Collects the values of all matching rules and uses the lowest value':
    '收集所有匹配规则的值并取最小值',
  'Collects the values of all matching rules and uses the highest value':
    '收集所有匹配规则的值并取最大值',
  'Collects the values of all matching rules and counts the number of them':
    '收集所有匹配规则的值并计数',
  'Collects the values of all matching rules in rule order': '按规则顺序收集所有匹配规则的值',
  'Collects the values of all matching rules in decreasing output priority order':
    '按输出优先级从高到低收集所有匹配规则的值',
  When: '当',
  And: '且',
  Then: '则',
  Annotations: '注释',
  Annotation: '注释',
  Input: '输入',
  Output: '输出',

  // context menu of cells, rows and columns
  'Add rule': '添加规则',
  'Add rule above': '在上方添加规则',
  'Add rule below': '在下方添加规则',
  'Remove rule': '删除规则',
  'Copy rule': '复制规则',
  'Cut rule': '剪切规则',
  'Paste rule above': '在上方粘贴规则',
  'Paste rule below': '在下方粘贴规则',
  'Move rule': '移动规则',
  'Add input': '添加输入',
  'Add output': '添加输出',
  'Add input column left': '在左侧添加输入列',
  'Add input column right': '在右侧添加输入列',
  'Add output column left': '在左侧添加输出列',
  'Add output column right': '在右侧添加输出列',
  'Remove input column': '删除输入列',
  'Remove output column': '删除输出列',
  'Copy input column': '复制输入列',
  'Copy output column': '复制输出列',
  'Cut input column': '剪切输入列',
  'Cut output column': '剪切输出列',
  'Paste input column left': '在左侧粘贴输入列',
  'Paste input column right': '在右侧粘贴输入列',
  'Paste output column left': '在左侧粘贴输出列',
  'Paste output column right': '在右侧粘贴输出列',
  'Add cell description': '添加单元格说明',
  'Remove cell description': '删除单元格说明',
  'Change cell expression language': '更改单元格表达式语言',

  // column and cell editors
  'Edit input': '编辑输入',
  'Edit output': '编辑输出',
  'Input label': '输入标签',
  'Input label: ': '输入标签：',
  'Input expression': '输入表达式',
  'Input expression: ': '输入表达式：',
  'Input type': '输入类型',
  'Input values': '输入值',
  'Output label': '输出标签',
  'Output label: ': '输出标签：',
  'Output name': '输出名称',
  'Output name: ': '输出名称：',
  'Output type': '输出类型',
  'Output values': '输出值',
  Type: '类型',
  Expression: '表达式',
  'Expression language': '表达式语言',
  'Expression language:': '表达式语言：',
  'Expression language: {expressionLanguageLabel}': '表达式语言：{expressionLanguageLabel}',
  'Enter expression': '输入表达式',
  'Predefined values': '预定义值',
  'Add predefined values': '添加预定义值',
  'Clear predefined values': '清除预定义值',
  'Add values': '添加值',
  'No values': '无值',
  'Custom values': '自定义值',
  Value: '值',
  Values: '值',
  Edit: '编辑',
  'Edit string': '编辑字符串',
  'Edit number': '编辑数字',
  'Edit boolean': '编辑布尔值',
  'Edit date': '编辑日期',
  'Edit time': '编辑时间',
  'Edit date and time': '编辑日期时间',
  'Edit duration': '编辑持续时间',
  'Match one': '匹配其一',
  'Match none': '均不匹配',
  Include: '包含',
  Exclude: '排除',
  Yes: '是',
  No: '否',
  'String value': '字符串值',
  'Strings must be in double quotes': '字符串必须放在英文双引号中',
  'Boolean value': '布尔值',
  'Test type': '判断方式',
  Comparison: '比较',
  'Comparison operator': '比较运算符',
  Range: '范围',
  Equals: '等于',
  Less: '小于',
  'Less or equals': '小于等于',
  Greater: '大于',
  'Greater or equals': '大于等于',
  Exactly: '正好',
  Before: '早于',
  After: '晚于',
  Between: '介于',
  'Set value': '设置值',
  'Start value': '起始值',
  'End value': '结束值',
  'Range start operator': '范围起点运算符',
  'Range start value': '范围起点值',
  'Range end operator': '范围终点运算符',
  'Range end value': '范围终点值',
  Date: '日期',
  Time: '时间',
  'Date and time': '日期时间',
  'Use today': '使用今天',
  'Use now': '使用当前时间',
  'Editing not supported for set expression language': '不支持在此表达式语言下编辑',

  // literal expression
  'Literal expression editor': '字面表达式编辑器',
  'Variable name': '变量名',
  'Variable name:': '变量名：',
  'Variable type': '变量类型',
  'Variable type:': '变量类型：',
  'Literal expression': '字面表达式',
};

/** zh-CN texts of the process editor (bpmn-js, properties panel). */
export const BPMN_ZH = { ...COMMON, ...BPMN_MODELING, ...TYPE_LABELS, ...PROPERTIES };

/** zh-CN texts of the decision table editor (dmn-js). */
export const DMN_ZH = { ...COMMON, ...DMN };

/**
 * Hands `translate` to every properties panel group: @bpmn-io/properties-panel's groups take it
 * as a prop (section toggles, the "Create" button of list groups) and bpmn-js-properties-panel
 * does not pass it. Runs after the other providers (lowest priority).
 */
function GroupTranslate(propertiesPanel, translate) {
  propertiesPanel.registerProvider(1, {
    getGroups: () => (groups) => groups.map((group) => ({ ...group, translate })),
  });
}
GroupTranslate.$inject = ['propertiesPanel', 'translate'];

/** additionalModules for bpmn-js on this page: the Chinese translate on Chinese pages. */
export function bpmnTranslateModules() {
  if (!isChinese()) return [];
  return [
    translateModule(BPMN_ZH),
    { __init__: ['groupTranslate'], groupTranslate: ['type', GroupTranslate] },
  ];
}

/**
 * dmn-js options giving every view (DRD, table, literal and boxed expression) the Chinese
 * translate on Chinese pages. Per view: dmn-js lets a view's own additionalModules replace
 * those in `common`.
 */
export function dmnTranslateOptions() {
  if (!isChinese()) return {};
  const view = { additionalModules: [translateModule(DMN_ZH)] };
  return {
    common: view,
    drd: view,
    decisionTable: view,
    literalExpression: view,
    boxedExpression: view,
  };
}
