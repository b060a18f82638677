"""The use cases' records as response bodies."""

from __future__ import annotations

from serving.identity.domain.accounts import User
from serving.identity.domain.addresses import Address
from serving.identity.entrypoints.schemas import AddressOut, TokenPair, UserOut
from serving.identity.use_cases.sessions import Session


def user_out(user: User) -> UserOut:
    return UserOut(
        user_id=user.user_id,
        email=user.email,
        phone=user.phone,
        name=user.name,
        role=user.role,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )


def address_out(address: Address) -> AddressOut:
    return AddressOut(
        address_id=address.address_id,
        label=address.label,
        line=address.line,
        city=address.city,
        lat=address.lat,
        lon=address.lon,
        is_default=address.is_default,
        created_at=address.created_at,
        updated_at=address.updated_at,
    )


def token_pair(session: Session) -> TokenPair:
    return TokenPair(
        access_token=session.access_token,
        expires_in=session.access_expires_in,
        refresh_token=session.refresh_token,
        refresh_expires_in=session.refresh_expires_in,
    )
