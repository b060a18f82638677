"""Request and response bodies of the identity API.

Unknown fields are rejected (a client cannot sneak in ``role`` on a profile update
or ``user_id`` on an address). Passwords are 8-128 characters: long enough to
matter, bounded so a megabyte "password" cannot tie up Argon2.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from serving.identity.domain.accounts import SELF_REGISTER_ROLES, normalize_email
from serving.kernel.auth import Role

# Pragmatic, not RFC 5322: one @, a dot in the domain, no spaces or controls.
Email = Annotated[
    str,
    Field(min_length=3, max_length=254, pattern=r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"),
]
Phone = Annotated[str, Field(pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164, e.g. +919812345678")]
Password = Annotated[str, Field(min_length=8, max_length=128)]
DisplayText = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
CityName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]
Label = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$")]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class RegisterRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "asha@example.com",
                    "phone": "+919812345678",
                    "password": "correct horse battery",
                    "name": "Asha Rao",
                    "role": "CUSTOMER",
                }
            ]
        },
    )

    email: Email
    phone: Phone | None = None
    password: Password
    name: DisplayText
    role: Role = Role.CUSTOMER

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return normalize_email(value)

    @field_validator("role")
    @classmethod
    def _self_service_role(cls, value: Role) -> Role:
        if value not in SELF_REGISTER_ROLES:
            raise ValueError("ADMIN accounts cannot self-register; an operator creates them")
        return value


class LoginRequest(BaseModel):
    """Exactly one of ``email`` and ``phone`` (the router checks), and the password."""

    model_config = ConfigDict(extra="forbid")

    email: Email | None = None
    phone: Phone | None = None
    password: Annotated[str, Field(min_length=1, max_length=128)]

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return normalize_email(value) if value is not None else None


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, Field(min_length=1, max_length=256)]


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str
    refresh_expires_in: int = Field(description="Seconds until the refresh token expires.")


class UserOut(BaseModel):
    user_id: uuid.UUID
    email: str
    phone: str | None
    name: str
    role: Role
    created_at: AwareDatetime
    updated_at: AwareDatetime


class UpdateMeRequest(BaseModel):
    """Profile fields a user may change; role and id are not among them.

    Only the fields sent are changed (read them with ``model_dump(exclude_unset=True)``).
    ``null`` is accepted for ``phone`` (removes it) and rejected for the others.
    """

    model_config = ConfigDict(extra="forbid")

    name: DisplayText | None = None
    email: Email | None = None
    phone: Phone | None = None

    @field_validator("name", "email", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        return _not_null(value)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return normalize_email(value) if value is not None else None


def _not_null(value: object) -> object:
    # Runs only for fields the client sent (defaults are not validated): an explicit
    # null is an error named after its field, an absent field is "leave as is".
    if value is None:
        raise ValueError("may not be null; leave the field out to keep its value")
    return value


class AddressIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "label": "Home",
                    "line": "12 MG Road, Indiranagar",
                    "city": "Bengaluru",
                    "lat": 12.9716,
                    "lon": 77.5946,
                    "is_default": True,
                }
            ]
        },
    )

    label: Label
    line: DisplayText
    city: CityName
    lat: Latitude
    lon: Longitude
    is_default: bool = False


class AddressPatch(BaseModel):
    """Only the fields sent change; ``null`` is rejected (the ``None`` defaults mean "not sent")."""

    model_config = ConfigDict(extra="forbid")

    label: Label | None = None
    line: DisplayText | None = None
    city: CityName | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    is_default: bool | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        return _not_null(value)


class AddressOut(BaseModel):
    address_id: uuid.UUID
    label: str
    line: str
    city: str
    lat: float
    lon: float
    is_default: bool
    created_at: AwareDatetime
    updated_at: AwareDatetime
