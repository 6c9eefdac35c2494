from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from app.auth.models import Role, UserKind
from app.core.timeutils import SalonDateTime

Password = Annotated[str, StringConstraints(min_length=10, max_length=128)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type
    expires_in: int = Field(description="Lifetime of the access token, in seconds")

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "access_token": "eyJhbGciOiJIUzI1NiIs...",
                "refresh_token": "b1kQm1c0...",
                "token_type": "bearer",
                "expires_in": 900,
            }
        }
    )


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    email: str
    kind: UserKind
    role: Role | None
    first_name: str
    last_name: str
    is_active: bool
    email_verified_at: SalonDateTime | None
    created_at: SalonDateTime


class SignupIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "email": "helene.dupont@example.fr",
                "password": "une-phrase-secrete",
                "first_name": "Hélène",
                "last_name": "Dupont",
            }
        }
    )

    email: EmailStr
    password: Password
    first_name: Name
    last_name: Name
    # A friend's referral code from the link she followed (docs/referrals.md): an unknown one
    # is refused before the account is made.
    referral_code: str | None = Field(default=None, min_length=3, max_length=40)


class SignupOut(TokenOut):
    user: UserOut


class PasswordResetRequestIn(BaseModel):
    email: EmailStr


class PasswordResetConfirmIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: Password


class EmailVerificationIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class StaffCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "email": "camille@serenaia.example",
                "password": "mot-de-passe-solide",
                "role": "practitioner",
                "first_name": "Camille",
                "last_name": "Martin",
            }
        }
    )

    email: EmailStr
    password: Password
    role: Role
    first_name: Name
    last_name: Name


class StaffUpdate(BaseModel):
    role: Role | None = None
    is_active: bool | None = None
    first_name: Name | None = None
    last_name: Name | None = None


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    at: SalonDateTime
    actor_user_id: UUID | None
    action: str
    subject_type: str | None
    subject_id: str | None
    ip: str | None
    request_id: str | None
    data: dict[str, object]
