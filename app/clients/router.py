from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, File, Query, UploadFile, status

from app.auth.public import ClientSelf, FrontDesk, Manager, Staff
from app.bookings import public as bookings
from app.clients import gdpr, importer, merge, repository, service
from app.clients.dependencies import (
    ClientForHealthNotes,
    ClientInScope,
    ClientListScope,
    Treating,
)
from app.clients.errors import (
    ClientAlreadyErased,
    ClientNotFound,
    EmailAlreadyUsed,
    ImportColumnsUnknown,
    ImportRejected,
    ImportUnreadable,
    InvalidPhone,
    MergeSameClient,
    NoClientRecord,
)
from app.clients.models import Client, ClientNote
from app.clients.public import client_for_user
from app.clients.schemas import (
    ClientCreate,
    ClientFields,
    ClientHistory,
    ClientOut,
    ClientSearchHit,
    ConsentIn,
    ConsentOut,
    DuplicatePair,
    EraseIn,
    HealthNoteIn,
    HealthNoteOut,
    ImportReport,
    MergeIn,
    NoteIn,
    NoteOut,
)
from app.core.db import DbSession
from app.core.errors import error_responses
from app.core.pagination import Page, Pagination, paginate
from app.core.timeutils import SalonDate, local_day_span, zone

router = APIRouter(tags=["clients"])

_NOT_FOUND = error_responses(ClientNotFound)


async def _one(session: DbSession, client: Client) -> ClientOut:
    return (await service.to_out(session, [client]))[0]


@router.get("/api/v1/clients")
async def list_clients(
    scope: ClientListScope,
    session: DbSession,
    page: Pagination,
    tag: str | None = None,
    birthday_month: Annotated[int | None, Query(ge=1, le=12)] = None,
    last_visit_after: SalonDate | None = None,
    last_visit_before: SalonDate | None = None,
    min_no_shows: Annotated[int | None, Query(ge=1)] = None,
    retention_review: bool | None = None,
    sort: Literal["name", "newest"] = "name",
) -> Page[ClientOut]:
    """Clients by name (or newest first), filtered. `retention_review=true` lists those
    inactive for three years."""
    tz = zone()
    activity = None
    if last_visit_after or last_visit_before or min_no_shows:
        activity = bookings.clients_matching(
            last_visit_after=local_day_span(last_visit_after, tz)[0] if last_visit_after else None,
            last_visit_before=local_day_span(last_visit_before, tz)[0]
            if last_visit_before
            else None,
            min_no_shows=min_no_shows,
        )
    statement = repository.clients_query(
        tag=tag,
        birthday_month=birthday_month,
        retention_review=retention_review,
        activity=activity,
        within=scope,
    )
    newest = sort == "newest"
    result = await paginate(
        session,
        statement,
        order_by=(Client.created_at, Client.id) if newest else (Client.last_name, Client.id),
        params=page,
        descending=newest,
        to_item=lambda c: c,
    )
    return Page[ClientOut](
        items=await service.to_out(session, result.items), next_cursor=result.next_cursor
    )


@router.post(
    "/api/v1/clients",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(EmailAlreadyUsed, InvalidPhone),
)
async def create_client(body: ClientCreate, _: FrontDesk, session: DbSession) -> ClientOut:
    return await _one(session, await service.create_client(session, body))


@router.get("/api/v1/clients/search")
async def search_clients(
    scope: ClientListScope,
    session: DbSession,
    q: Annotated[str, Query(min_length=2, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> Page[ClientSearchHit]:
    """One box: part of a name, an e-mail or a phone number; accents, case and small typos do
    not matter. The best `limit` hits, in one page."""
    return Page[ClientSearchHit](items=await service.search(session, q, limit=limit, within=scope))


@router.get("/api/v1/clients/duplicates")
async def list_duplicates(_: FrontDesk, session: DbSession) -> Page[DuplicatePair]:
    """Likely duplicates (one page)."""
    return Page[DuplicatePair](items=await merge.find_duplicates(session))


@router.post("/api/v1/clients/merge", responses=error_responses(ClientNotFound, MergeSameClient))
async def merge_clients(body: MergeIn, actor: Manager, session: DbSession) -> ClientOut:
    """Move everything from `source_id` to `target_id`; the source record disappears."""
    target = await merge.merge(
        session, source_id=body.source_id, target_id=body.target_id, actor_user_id=actor.user_id
    )
    return await _one(session, target)


@router.post(
    "/api/v1/clients/import",
    responses=error_responses(ImportRejected, ImportColumnsUnknown, ImportUnreadable),
)
async def import_clients(
    actor: Manager,
    session: DbSession,
    file: Annotated[UploadFile, File(description="CSV with a header line, `,` or `;`")],
    dry_run: bool = True,
    encoding: Annotated[
        importer.Encoding, Query(description="`auto` detects UTF-8, UTF-16 or Windows-1252")
    ] = "auto",
) -> ImportReport:
    """Import a CSV export of the previous software. `dry_run` (the default) only reports;
    a real run imports every row or, if one is bad, none."""
    content = await file.read()
    return await importer.import_clients(
        session, content, dry_run=dry_run, author=actor.user_id, encoding=encoding
    )


@router.get("/api/v1/clients/{client_id}", responses=_NOT_FOUND)
async def get_client(client: ClientInScope, session: DbSession) -> ClientOut:
    return await _one(session, client)


@router.patch(
    "/api/v1/clients/{client_id}",
    responses=error_responses(ClientNotFound, EmailAlreadyUsed, InvalidPhone, ClientAlreadyErased),
)
async def update_client(
    client_id: UUID, body: ClientFields, _: FrontDesk, session: DbSession
) -> ClientOut:
    return await _one(session, await service.update_client(session, client_id, body))


@router.delete(
    "/api/v1/clients/{client_id}", responses=error_responses(ClientNotFound, ClientAlreadyErased)
)
async def erase_client(
    client_id: UUID, body: EraseIn, actor: Manager, session: DbSession
) -> ClientOut:
    """GDPR erasure, on the client's request. Cannot be undone."""
    return await _one(session, await gdpr.erase(session, client_id, actor_user_id=actor.user_id))


@router.get("/api/v1/clients/{client_id}/history", responses=_NOT_FOUND)
async def client_history(client: ClientInScope, session: DbSession) -> ClientHistory:
    return await service.history(session, client.id)


@router.post(
    "/api/v1/clients/{client_id}/consents",
    status_code=status.HTTP_201_CREATED,
    responses=_NOT_FOUND,
)
async def record_consent(
    client_id: UUID, body: ConsentIn, actor: FrontDesk, session: DbSession
) -> ConsentOut:
    consent = await service.record_consent(session, client_id, body, recorded_by=actor.user_id)
    return ConsentOut.model_validate(consent)


@router.get("/api/v1/clients/{client_id}/consents", responses=_NOT_FOUND)
async def consent_ledger(client: ClientInScope, session: DbSession) -> Page[ConsentOut]:
    """Her consents, oldest first (one page)."""
    found = await service.consent_ledger(session, client.id)
    return Page[ConsentOut](items=[ConsentOut.model_validate(c) for c in found])


@router.post(
    "/api/v1/clients/{client_id}/notes",
    status_code=status.HTTP_201_CREATED,
    responses=_NOT_FOUND,
)
async def add_note(
    client: ClientInScope, body: NoteIn, actor: Staff, session: DbSession
) -> NoteOut:
    return NoteOut.model_validate(
        await service.add_note(session, client.id, body.body, actor.user_id)
    )


@router.get("/api/v1/clients/{client_id}/notes", responses=_NOT_FOUND)
async def list_notes(client: ClientInScope, session: DbSession, page: Pagination) -> Page[NoteOut]:
    """Her notes, newest first."""
    return await paginate(
        session,
        await service.notes_query(session, client.id),
        order_by=(ClientNote.id,),
        params=page,
        descending=True,
        to_item=NoteOut.model_validate,
    )


@router.post(
    "/api/v1/clients/{client_id}/health-notes",
    status_code=status.HTTP_201_CREATED,
    responses=_NOT_FOUND,
)
async def add_health_note(
    client: ClientForHealthNotes, body: HealthNoteIn, actor: Treating, session: DbSession
) -> HealthNoteOut:
    return HealthNoteOut.model_validate(
        await service.add_health_note(session, client.id, body, actor)
    )


@router.get("/api/v1/clients/{client_id}/health-notes", responses=_NOT_FOUND)
async def read_health_notes(
    client: ClientForHealthNotes, actor: Treating, session: DbSession
) -> Page[HealthNoteOut]:
    """Allergies, contraindications, pregnancy, skin type: for the practitioners who have
    treated her or are booked with her, and managers (one page). Each read is audited."""
    notes = await service.read_health_notes(session, client.id, actor)
    return Page[HealthNoteOut](items=[HealthNoteOut.model_validate(n) for n in notes])


@router.get("/api/v1/clients/{client_id}/export", responses=_NOT_FOUND)
async def export_client(client_id: UUID, actor: Manager, session: DbSession) -> dict[str, Any]:
    """Everything held about the client, as JSON (GDPR right of access). Audited."""
    return await gdpr.export(session, client_id, actor_user_id=actor.user_id)


async def _own_record(principal: ClientSelf, session: DbSession) -> Client:
    ref = await client_for_user(session, principal.user_id)
    if ref is None:
        raise NoClientRecord()
    return await service.get_client(session, ref.id)


@router.get("/api/v1/me", responses=error_responses(NoClientRecord))
async def my_profile(principal: ClientSelf, session: DbSession) -> ClientOut:
    return await _one(session, await _own_record(principal, session))


@router.patch("/api/v1/me", responses=error_responses(NoClientRecord, InvalidPhone))
async def update_my_profile(
    body: ClientFields, principal: ClientSelf, session: DbSession
) -> ClientOut:
    """Her own contact details. Her e-mail is her login: it changes with the account."""
    record = await _own_record(principal, session)
    changes = ClientFields.model_validate(
        body.model_dump(exclude_unset=True, exclude={"email", "tags"})
    )
    return await _one(session, await service.update_client(session, record.id, changes))


@router.get("/api/v1/me/export", responses=error_responses(NoClientRecord))
async def export_my_data(principal: ClientSelf, session: DbSession) -> dict[str, Any]:
    record = await _own_record(principal, session)
    return await gdpr.export(session, record.id, actor_user_id=principal.user_id)


@router.post(
    "/api/v1/me/erase",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(NoClientRecord),
)
async def erase_my_data(body: EraseIn, principal: ClientSelf, session: DbSession) -> None:
    """Erase her data and close her account. Cannot be undone."""
    record = await _own_record(principal, session)
    await gdpr.erase(session, record.id, actor_user_id=principal.user_id)
