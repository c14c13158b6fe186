// Renders every [data-bpmn-url] element as a read-only BPMN diagram:
//   data-bpmn-url         same-origin URL that returns the BPMN XML
//   data-bpmn-active      JSON list of element ids, outlined blue (as-active)
//   data-bpmn-completed   JSON list of element ids, filled green (as-completed)
//   data-bpmn-failed      JSON list of element ids, shown red (as-failed)
//   data-bpmn-error-text  text shown if the diagram cannot be loaded (translated by the server)
import './viewer.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';

const MARKERS = {
  bpmnCompleted: 'as-completed',
  bpmnFailed: 'as-failed',
  bpmnActive: 'as-active',
};

const DEFAULT_ERROR_TEXT = 'The diagram could not be loaded.';

function parseIds(json) {
  if (!json) return [];
  try {
    const ids = JSON.parse(json);
    return Array.isArray(ids) ? ids.filter((id) => typeof id === 'string') : [];
  } catch (error) {
    console.warn('bpmn viewer: ignoring marker list that is not JSON', json);
    return [];
  }
}

async function fetchDiagram(url) {
  const target = new URL(url, window.location.href);
  if (target.origin !== window.location.origin) {
    throw new Error(`refusing to load a diagram from another origin: ${target.origin}`);
  }
  const response = await fetch(target, {
    credentials: 'same-origin',
    headers: { Accept: 'application/xml, text/xml' },
  });
  if (!response.ok) {
    throw new Error(`GET ${target.pathname} answered ${response.status}`);
  }
  return response.text();
}

function addMarkers(viewer, container) {
  const canvas = viewer.get('canvas');
  const elementRegistry = viewer.get('elementRegistry');
  for (const [attribute, marker] of Object.entries(MARKERS)) {
    for (const id of parseIds(container.dataset[attribute])) {
      // Ids of elements not drawn (another version of the diagram) are skipped.
      if (elementRegistry.get(id)) canvas.addMarker(id, marker);
    }
  }
}

function showError(container, error) {
  console.error('bpmn viewer:', error);
  const message = document.createElement('p');
  message.className = 'as-bpmn-error';
  message.setAttribute('role', 'alert');
  message.textContent = container.dataset.bpmnErrorText || DEFAULT_ERROR_TEXT;
  container.replaceChildren(message);
}

async function renderDiagram(container) {
  try {
    const xml = await fetchDiagram(container.dataset.bpmnUrl);
    const viewer = new NavigatedViewer({
      container,
      moddleExtensions: { camunda: camundaModdle },
    });
    const { warnings } = await viewer.importXML(xml);
    if (warnings.length) console.warn('bpmn viewer: import warnings', warnings);
    // Fit, then back off a little so outlines on the border are not clipped.
    const canvas = viewer.get('canvas');
    canvas.zoom(canvas.zoom('fit-viewport', 'auto') * 0.95, 'auto');
    addMarkers(viewer, container);
  } catch (error) {
    showError(container, error);
  }
}

function renderAll(root) {
  const containers = root.querySelectorAll('[data-bpmn-url]');
  for (const container of containers) {
    if (container.dataset.bpmnRendered) continue;
    container.dataset.bpmnRendered = 'true';
    renderDiagram(container);
  }
}

document.addEventListener('DOMContentLoaded', () => renderAll(document));
// Diagrams inside content that htmx swaps in later.
document.addEventListener('htmx:load', (event) => renderAll(event.target));
