"""Instance state as JSON without the spec; specs are restored once per definition and cached.

SpiffWorkflow's own serializer embeds the whole spec in every saved instance, which doubles the
cost of a save and a load. Specs are immutable, so one restored spec object is shared by every
instance of a definition version.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_CONFIG

SERIALIZER_VERSION = "aftersales-1/spiff-3.2.0"


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Writes a workflow without `spec`/`subprocess_specs`; restores it around a given spec."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def restore_with_spec(self, dct: dict[str, Any], spec, subprocess_specs) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class StateSerializer:
    """Converts specs and instance states to and from JSON text."""

    def __init__(self, spec_cache_size: int = 256):
        # SpiffWorkflow's registry flips a flag while encoding, so each thread gets its own.
        self._local = threading.local()
        self._specs: OrderedDict[int, tuple[Any, dict]] = OrderedDict()
        self._cache_size = spec_cache_size
        self._lock = threading.Lock()

    @property
    def registry(self):
        if not hasattr(self._local, "registry"):
            registry = BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG)
            self._local.registry = registry
            self._local.converter = _SpecFreeWorkflowConverter(BpmnWorkflow, registry)
            self._local.encoder = create_encoder(registry, None)
        return self._local.registry

    # -- specs ---------------------------------------------------------------------------
    def dump_spec(self, spec, subprocess_specs: dict[str, Any]) -> str:
        return json.dumps(
            {
                "spec": self.registry.convert(spec),
                "subprocess_specs": {
                    k: self.registry.convert(v) for k, v in subprocess_specs.items()
                },
            }
        )

    def load_spec(self, definition_id: int, spec_json: Callable[[], str]) -> tuple[Any, dict]:
        """The restored (spec, subprocess_specs) of a definition, from the cache when possible.

        `spec_json` is called only on a cache miss, so the large column is not read otherwise.
        """
        with self._lock:
            if definition_id in self._specs:
                self._specs.move_to_end(definition_id)
                return self._specs[definition_id]
        dct = json.loads(spec_json())
        restored = (
            self.registry.restore(dct["spec"]),
            {k: self.registry.restore(v) for k, v in dct["subprocess_specs"].items()},
        )
        with self._lock:
            self._specs[definition_id] = restored
            while len(self._specs) > self._cache_size:
                self._specs.popitem(last=False)
        return restored

    # -- instance state ----------------------------------------------------------------------
    def dump_state(self, workflow: BpmnWorkflow) -> str:
        registry = self.registry
        registry._encoder_mode = True
        try:
            return json.dumps(registry.convert(workflow), cls=self._local.encoder)
        finally:
            registry._encoder_mode = False

    def load_state(self, state: str, spec, subprocess_specs) -> BpmnWorkflow:
        self.registry  # noqa: B018 - makes sure this thread's converter exists
        return self._local.converter.restore_with_spec(json.loads(state), spec, subprocess_specs)

    def to_json_data(self, data: Any) -> Any:
        """Task data made JSON-safe the way the state is (dates as ISO strings)."""
        return json.loads(json.dumps(data, default=str))
