// The process editor: bpmn-js Modeler with the Camunda 7 extension and properties panel,
// so camunda:formKey, candidateGroups, assignee and properties survive a round trip.
// The page embeds the stored diagram (#editor-source) and deploys it through deploy.js.
import './modeler.css';
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import { readJson, setUpDeploy, showLoadError } from './deploy.js';
import { bpmnTranslateModules } from './editor-i18n.js';

const MARKER = 'deploy-problem';

async function open(root) {
  const modeler = new BpmnModeler({
    container: root.querySelector('[data-testid="editor-canvas"]'),
    propertiesPanel: { parent: root.querySelector('[data-testid="editor-panel"]') },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      CamundaPlatformPropertiesProviderModule,
      CamundaBehaviorsModule,
      // palette, context pad, replace menu and properties panel in the page's language
      ...bpmnTranslateModules(),
    ],
    moddleExtensions: { camunda: camundaModdle },
  });
  // the browser tests drive the diagram through the modeler's own API
  window.aftersalesModeler = modeler;
  try {
    const { warnings } = await modeler.importXML(readJson('editor-source').source);
    if (warnings.length) console.warn('modeler: import warnings', warnings);
    modeler.get('canvas').zoom('fit-viewport', 'auto');
  } catch (error) {
    showLoadError(root, error);
    return;
  }

  const canvas = modeler.get('canvas');
  const registry = modeler.get('elementRegistry');
  let marked = [];

  setUpDeploy({
    root,
    save: async () => (await modeler.saveXML({ format: true })).xml,
    markProblems(problems) {
      marked = [...new Set(problems.map((p) => p.element_id))].filter((id) => id && registry.get(id));
      for (const id of marked) canvas.addMarker(id, MARKER);
    },
    clearProblems() {
      for (const id of marked) if (registry.get(id)) canvas.removeMarker(id, MARKER);
      marked = [];
    },
    focus(id) {
      const element = registry.get(id);
      if (!element) return;
      modeler.get('selection').select(element);
      canvas.scrollToElement(element, { top: 100, bottom: 100, left: 100, right: 100 });
    },
  });
  root.dataset.ready = 'true';
}

document.addEventListener('DOMContentLoaded', () => {
  const root = document.querySelector('[data-editor="process"]');
  if (root) open(root);
});
