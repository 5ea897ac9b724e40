"""GET /api/claim and POST /api/claim (anyone: the set-up code is the credential), and the
rule that an unclaimed box answers nothing else but /api/health."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from paivystys.appliance.api.auth.schemas import LoginResponse, UserOut
from paivystys.appliance.api.claim.schemas import ClaimRequest, ClaimStatus
from paivystys.appliance.api.context import Config, client_address
from paivystys.appliance.users import claim, service

router = APIRouter(prefix="/api", tags=["claim"])

NOT_SET_UP = ("this switchboard is not set up yet: claim it from the desktop console with the "
              "set-up code that the box shows on its screen and in its log (POST /api/claim)")
# What every other route may answer while the box is unclaimed (for the OpenAPI document).
REFUSED_UNCLAIMED = {403: {"description": "the box is not set up yet: claim it first"}}


def require_claimed() -> None:
    """Refuse every request to a box that has no admin yet (a WebSocket's upgrade too: its
    answer is then this 403)."""
    if not claim.is_claimed():
        raise HTTPException(403, NOT_SET_UP)


@router.get("/claim", response_model=ClaimStatus)
def claim_status() -> ClaimStatus:
    """Whether the box has its admin; a console asks before it offers a login or a claim."""
    return ClaimStatus(claimed=claim.is_claimed())


@router.post("/claim", response_model=LoginResponse, status_code=201,
             responses={409: {"description": "already claimed: log in instead"},
                        422: {"description": "a wrong set-up code (counted as a failed "
                                             "login), or a refused username or password"},
                        423: {"description": "locked after repeated wrong codes"},
                        429: {"description": "too many failures from this address"}})
def claim_box(body: ClaimRequest, request: Request, config: Config) -> LoginResponse:
    """The box's first admin, logged in at once; the set-up code is used up."""
    done = claim.claim(body.code, body.username, body.password, client_address(request),
                       config.throttle, config.state_dir)
    request.app.state.claim_watch.check()  # the notice goes at once, not at the next check
    return LoginResponse(token=done.token, expires_at=done.expires_at.isoformat(),
                         user=UserOut(**service.user_to_dict(done.user)))
