// The editors' "Deploy" button: sends the edited file to the deploy endpoint of the API
// (same origin, session cookie, CSRF header) and shows the new version or every problem.
// All text comes translated from the page (data-labels); messages are set as text, never HTML.

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** The page's embedded JSON (a <script type="application/json">), parsed. */
export function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

function problemRow(problem, labels, onFocus) {
  const item = document.createElement('li');
  item.className = 'list-group-item';
  item.dataset.testid = 'deploy-problem';
  if (problem.element_id) item.dataset.elementId = problem.element_id;
  const message = document.createElement(problem.element_id && onFocus ? 'button' : 'span');
  message.textContent = problem.message;
  if (message.tagName === 'BUTTON') {
    message.type = 'button';
    message.className = 'btn btn-link p-0 text-start text-danger-emphasis';
    message.addEventListener('click', () => onFocus(problem.element_id));
  }
  const where = document.createElement('div');
  where.className = 'small text-body-secondary';
  const parts = [problem.file];
  if (problem.line) parts.push(format(labels.line, { line: problem.line }));
  if (problem.element_id) {
    const name = problem.element_name ? `${problem.element_name} (${problem.element_id})` : problem.element_id;
    parts.push(format(labels.element, { element: name }));
  }
  where.textContent = parts.filter(Boolean).join(' · ');
  item.append(message, where);
  return item;
}

function deployedText(body, key, labels) {
  const all = [...(body.items || []), ...(body.decisions || [])];
  const own = all.find((d) => d.key === key);
  const others = all.filter((d) => d !== own && d.created).map((d) => `${d.key} v${d.version}`);
  let text;
  if (own) text = format(own.created ? labels.deployed : labels.unchanged, { version: own.version });
  else text = labels.deployedPlain;
  if (others.length) text += ' ' + format(labels.alsoDeployed, { list: others.join(', ') });
  return { text, version: own ? own.version : null };
}

/**
 * Wires the Deploy button of an editor page.
 *   root      element with data-deploy-url, data-filename, data-key, data-labels
 *   save      async () => the file's text as edited
 *   markProblems(problems)  show problems in the editor (optional); clearProblems() undoes it
 *   focus(elementId)        select and show an element (optional)
 */
export function setUpDeploy({ root, save, markProblems, clearProblems, focus }) {
  const labels = JSON.parse(root.dataset.labels);
  const button = root.querySelector('[data-testid="deploy"]');
  const result = root.querySelector('[data-testid="deploy-result"]');
  const list = root.querySelector('[data-testid="deploy-problems"]');
  const { deployUrl, filename, key, listUrl, mimeType } = root.dataset;

  function show(kind, text) {
    result.className = `alert alert-${kind} mb-3`;
    result.replaceChildren(document.createTextNode(text));
    result.hidden = false;
  }

  async function deploy() {
    button.disabled = true;
    list.replaceChildren();
    list.hidden = true;
    if (clearProblems) clearProblems();
    show('info', labels.deploying);
    try {
      const text = await save();
      const form = new FormData();
      form.append('files', new Blob([text], { type: mimeType }), filename);
      const response = await fetch(deployUrl, {
        method: 'POST',
        body: form,
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        const { text: message, version } = deployedText(body, key, labels);
        show('success', message + ' ');
        result.dataset.version = version === null ? '' : String(version);
        const back = document.createElement('a');
        back.href = listUrl;
        back.className = 'alert-link';
        back.textContent = labels.backToList;
        result.append(back);
      } else if (response.status === 422 && body.errors && Array.isArray(body.errors.files)) {
        const problems = body.errors.files;
        show('danger', body.detail || labels.rejected);
        list.replaceChildren(...problems.map((p) => problemRow(p, labels, focus)));
        list.hidden = false;
        if (markProblems) markProblems(problems);
      } else {
        show('danger', body.detail || format(labels.failed, { status: response.status }));
      }
    } catch (error) {
      console.error('deploy:', error);
      show('danger', labels.saveFailed);
    } finally {
      button.disabled = false;
    }
  }

  button.addEventListener('click', deploy);
  button.disabled = false;
  return labels;
}

/** Shows that the stored file could not be opened in the editor. */
export function showLoadError(root, error) {
  console.error('editor:', error);
  const labels = JSON.parse(root.dataset.labels);
  const result = root.querySelector('[data-testid="deploy-result"]');
  result.className = 'alert alert-danger mb-3';
  result.textContent = labels.loadFailed;
  result.hidden = false;
}
