"""JSON: the serialisation of the result objects (``"schema": 1`` for advice)."""

from __future__ import annotations

import json
from typing import Any

from fasewiel_cli.engine.advice import Advice
from fasewiel_cli.engine.overview import PhasesView, SignalsView
from fasewiel_cli.serialize import advice_to_dict, phases_to_dict, signals_to_dict
from fasewiel_cli.text import json_safe


def dumps(data: Any) -> str:
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"


class JsonRenderer:
    def advice(self, advice: Advice) -> str:
        return dumps(advice_to_dict(advice))

    def phases(self, view: PhasesView) -> str:
        return dumps(phases_to_dict(view))

    def signals(self, view: SignalsView) -> str:
        return dumps(signals_to_dict(view))
