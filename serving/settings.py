"""The root settings of a serving process: the kernel's, with each service's nested.

Every field keeps its flat variable name (``TIFFIN_ORDER_TAX_BP`` sets
``settings.orders.order_tax_bp``), so a deployment's environment reads the same
whichever service a setting belongs to. ``ServingSettings.of(**flat)`` builds settings
from those flat names (tests, benchmarks); ``ServingSettings()`` reads the environment.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings

from serving.cart.settings import CartSettings
from serving.identity.settings import IdentitySettings
from serving.kernel.settings import DEV_JWT_SECRET, KernelSettings
from serving.orders.settings import OrderSettings
from serving.payments.settings import PaymentSettings
from serving.restaurants.settings import RestaurantSettings

__all__ = ["DEV_JWT_SECRET", "ServingSettings"]


class ServingSettings(KernelSettings):
    """Kernel settings plus one section per service (``settings.orders``, ``settings.payments``, …)."""

    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    restaurants: RestaurantSettings = Field(default_factory=RestaurantSettings)
    cart: CartSettings = Field(default_factory=CartSettings)
    orders: OrderSettings = Field(default_factory=OrderSettings)
    payments: PaymentSettings = Field(default_factory=PaymentSettings)

    @classmethod
    def of(cls, **flat: Any) -> ServingSettings:
        """Settings from flat names, as the environment spells them; unknown names are an error."""
        sections = _sections()
        # A section built here reads its other fields from the environment, like the root.
        nested: dict[str, Any] = {
            name: sections[name](**value) if name in sections else value for name, value in _nest(flat).items()
        }
        return cls(**nested)

    def as_environment(self) -> dict[str, str]:
        """The ``TIFFIN_*`` variables under which another process's ``ServingSettings()``
        equals these: every setting that differs from its default (e.g. for a server
        started as a subprocess with several workers, which cannot be handed an object)."""
        variables: dict[str, str] = {}
        for model in (self, *(getattr(self, name) for name in _sections())):
            for name, field in type(model).model_fields.items():
                value = getattr(model, name)
                if isinstance(value, BaseSettings) or value == field.get_default(call_default_factory=True):
                    continue
                if value is None:
                    raise ValueError(f"{name}=None cannot be written as an environment variable")
                alias = field.validation_alias
                named = (
                    [c for c in alias.choices if isinstance(c, str) and c.startswith("TIFFIN_")]
                    if isinstance(alias, AliasChoices)
                    else []
                )
                text = json.dumps(value) if isinstance(value, (dict, list, tuple)) else str(value)
                variables[named[0] if named else f"TIFFIN_{name.upper()}"] = text
        return variables

    def changed(self, **flat: Any) -> ServingSettings:
        """A copy with some flat-named settings changed (validated like new settings)."""
        values = self.model_dump()
        for section, changes in _nest(flat).items():
            if isinstance(changes, dict):
                values[section] = {**values[section], **changes}
            else:
                values[section] = changes
        return type(self)(**values)


def _sections() -> dict[str, type[BaseSettings]]:
    return {
        name: field.annotation
        for name, field in ServingSettings.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseSettings)
    }


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    owner = {field: section for section, model in _sections().items() for field in model.model_fields}
    for name, value in flat.items():
        section = owner.get(name)
        if section is None:
            nested[name] = value  # a kernel setting (or a typo, which the kernel model refuses)
        else:
            nested.setdefault(section, {})[name] = value
    return nested
