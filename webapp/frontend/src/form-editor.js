// The form editor: form-js editor loaded with the stored form, deployed as <key>.form.
// form-js-editor 1.23 has no translate hook (its palette and properties texts are fixed
// English), so unlike the process and decision editors it stays in English.
import './form-editor.css';
import { FormEditor } from '@bpmn-io/form-js-editor';
import { readJson, setUpDeploy, showLoadError } from './deploy.js';

async function open(root) {
  const editor = new FormEditor({
    container: root.querySelector('[data-testid="editor-canvas"]'),
  });
  window.aftersalesFormEditor = editor;
  try {
    await editor.importSchema(JSON.parse(readJson('editor-source').source));
  } catch (error) {
    showLoadError(root, error);
    return;
  }
  setUpDeploy({
    root,
    save: async () => JSON.stringify(editor.saveSchema(), null, 2),
  });
  root.dataset.ready = 'true';
}

document.addEventListener('DOMContentLoaded', () => {
  const root = document.querySelector('[data-editor="form"]');
  if (root) open(root);
});
