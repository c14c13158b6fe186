// The decision table editor: dmn-js opened on the table of the stored .dmn file, deployed
// under the same file name through deploy.js.
import './dmn-editor.css';
import DmnModeler from 'dmn-js/lib/Modeler';
import { readJson, setUpDeploy, showLoadError } from './deploy.js';
import { dmnTranslateOptions } from './editor-i18n.js';

async function open(root) {
  const modeler = new DmnModeler({
    container: root.querySelector('[data-testid="editor-canvas"]'),
    // the table, its hit policy and menus in the page's language
    ...dmnTranslateOptions(),
  });
  window.aftersalesDmnModeler = modeler;
  try {
    const { warnings } = await modeler.importXML(readJson('editor-source').source);
    if (warnings.length) console.warn('dmn editor: import warnings', warnings);
    const key = root.dataset.key;
    const views = modeler.getViews();
    const table =
      views.find((v) => v.type === 'decisionTable' && v.element.id === key) ||
      views.find((v) => v.type === 'decisionTable');
    if (table) await modeler.open(table);
  } catch (error) {
    showLoadError(root, error);
    return;
  }
  setUpDeploy({ root, save: async () => (await modeler.saveXML({ format: true })).xml });
  root.dataset.ready = 'true';
}

document.addEventListener('DOMContentLoaded', () => {
  const root = document.querySelector('[data-editor="decision"]');
  if (root) open(root);
});
