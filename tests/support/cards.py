"""Model cards for models built in tests."""

from backend.core import contract
from backend.core.card import ModelCard


def card_for(model, **fields) -> ModelCard:
    """A minimal card for `model` (an untrained network built by a test); `fields` override."""
    arch = fields.pop("arch", model.name.removeprefix("digit_"))
    return ModelCard(name=model.name, arch=arch, params=model.count_params(), input=contract.DESCRIPTION, **fields)
