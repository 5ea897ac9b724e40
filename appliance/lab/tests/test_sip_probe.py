"""The lab's raw SIP client: answers to a digest challenge as RFC 2617 computes them, the
requests it builds, and answers it cannot parse taken for nothing."""

from __future__ import annotations

import socket

from paivystys.appliance.lab.sip_probe import (
    Credentials,
    SipProbe,
    digest_answer,
    parse_answer,
)


def test_the_digest_answer_is_rfc_2617_s_own_example() -> None:
    challenge = ('Digest realm="testrealm@host.com", qop="auth,auth-int", '
                 'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
                 'opaque="5ccc069c403ebaf9f0171e9517f40e41"')
    answer = digest_answer(challenge, Credentials("Mufasa", "Circle Of Life"), "GET",
                           "/dir/index.html", cnonce="0a4f113b")
    assert 'response="6629fae49393a05397450978507c4ef1"' in answer
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in answer
    assert "qop=auth" in answer and "nc=00000001" in answer


def test_answers_are_parsed_and_anything_else_is_nothing() -> None:
    answer = parse_answer(b"SIP/2.0 401 Unauthorized\r\nCall-ID: abc\r\nCSeq: 1 INVITE\r\n"
                          b"WWW-Authenticate: Digest realm=\"x\"\r\n\r\n")
    assert answer is not None
    assert (answer.status, answer.reason) == (401, "Unauthorized")
    assert answer.headers["call-id"] == "abc"
    assert answer.headers["www-authenticate"] == 'Digest realm="x"'
    for junk in (b"", b"INVITE sip:x SIP/2.0\r\n\r\n", b"\xff\xfe garbage", b"SIP/2.0 abc\r\n"):
        assert parse_answer(junk) is None


def test_an_invite_comes_from_the_chosen_address_and_names_the_from_user() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as target:
        target.bind(("127.0.0.1", 0))
        target.settimeout(2)
        with SipProbe("127.0.0.1", target.getsockname()) as probe:
            probe.flood("+358201234567", "trunk", 1)
            data, sender = target.recvfrom(65535)
        text = data.decode()
        assert text.startswith(f"INVITE sip:+358201234567@127.0.0.1:{target.getsockname()[1]} "
                               "SIP/2.0\r\n")
        assert "\r\nFrom: <sip:trunk@127.0.0.1>;tag=" in text
        assert sender[0] == "127.0.0.1"
        head, body = text.split("\r\n\r\n", 1)
        assert f"Content-Length: {len(body)}" in head
        assert "m=audio" in body
