"""An agency system's view of the API: uses a client that
openapi-python-client generated from /api/openapi.json (tests/it/api.rs
makes it, then runs this). Every call goes through the generated code, so a
type the document gets wrong fails here.

Usage: generated_client.py CLIENT_PARENT_DIR BASE_URL MANAGER_TOKEN OFFICER_TOKEN
"""
import datetime
import sys

sys.path.insert(0, sys.argv[1])

from mpp_client import AuthenticatedClient, Client
from mpp_client.api.agencies import list_agencies
from mpp_client.api.certificates import get_certificate_pdf
from mpp_client.api.queue import get_ticket, issue_ticket
from mpp_client.api.services import get_application_setup, get_services, list_services, put_application_setup, replace_services
from mpp_client.models import (
    AgencyKind,
    Problem,
    Service,
    ServiceInput,
    TicketRequest,
    TicketRequestPriority,
    TicketView,
    TicketViewPriority,
    TicketViewStatus,
)

base, manager_token, officer_token = sys.argv[2:5]
anyone = Client(base_url=base, raise_on_unexpected_status=True)
manager = AuthenticatedClient(base_url=base, token=manager_token, raise_on_unexpected_status=True)
officer = AuthenticatedClient(base_url=base, token=officer_token, raise_on_unexpected_status=True)

# Public reads, typed: fixed sets arrive as enums.
services = list_services.sync(slug="ttu", client=anyone)
assert any(s.code == "KTP-EL" for s in services), services
agencies = list_agencies.sync(slug="ttu", client=anyone)
assert all(isinstance(a.kind, AgencyKind) for a in agencies), agencies

# A service read is what a write takes back.
read = get_services.sync(slug="ttu", code="KTP-EL", client=manager)
assert isinstance(read, Service), read
fields = ServiceInput.__attrs_attrs__
body = ServiceInput(**{f.name: getattr(read, f.name) for f in fields if f.name != "additional_properties"})
written = replace_services.sync(slug="ttu", code="KTP-EL", client=manager, body=body)
assert isinstance(written, Service), written
assert written.to_dict() | {"updated_at": 0} == read.to_dict() | {"updated_at": 0}, (written, read)

# A ticket: priority `none` comes back as sent, the time as a real instant,
# and a retry with the same key is the same ticket, marked as replayed.
request = TicketRequest(services=["KTP-EL"], priority=TicketRequestPriority.NONE)
first = issue_ticket.sync_detailed(slug="ttu", client=officer, body=request, idempotency_key="client-test-1")
assert first.status_code == 201 and isinstance(first.parsed, TicketView), first
ticket = first.parsed
assert ticket.priority == TicketViewPriority.NONE, ticket.priority
assert ticket.status == TicketViewStatus.WAITING, ticket.status
assert isinstance(ticket.issued_at, datetime.datetime) and ticket.issued_at.utcoffset() == datetime.timedelta(hours=8)
assert first.headers["location"].endswith(ticket.id), first.headers
again = issue_ticket.sync_detailed(slug="ttu", client=officer, body=request, idempotency_key="client-test-1")
assert again.parsed.id == ticket.id and again.headers["idempotency-replayed"] == "true", again.headers
assert get_ticket.sync(slug="ttu", id=ticket.id, client=anyone).label == ticket.label

# The application setup (an array of pairs inside) reads and writes back.
setup = get_application_setup.sync(slug="ttu", code="PBG", client=manager)
saved = put_application_setup.sync(slug="ttu", code="PBG", client=manager, body=setup)
assert saved.to_dict() == setup.to_dict(), (saved, setup)

# The certificate download is typed: a file, or a problem document.
missing = get_certificate_pdf.sync_detailed(slug="ttu", registration="TTU-000000-0000", client=manager)
assert missing.status_code == 404 and isinstance(missing.parsed, Problem), missing
print("ok")
