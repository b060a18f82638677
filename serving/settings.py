"""The root settings of a serving process: the kernel's, with each service's nested.

Every field keeps its flat variable name (``TIFFIN_ORDER_TAX_BP`` sets
``settings.orders.order_tax_bp``), so a deployment's environment reads the same
whichever service a setting belongs to. ``ServingSettings.of(**flat)`` builds settings
from those flat names (tests, benchmarks); ``ServingSettings()`` reads the environment.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
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
