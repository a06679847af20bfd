"""Fetching pages: only HTML, within limits, and never from the server's own network."""

import socket

import pytest

from annotations.importing.fetch import FetchError, fetch, is_internal, resolve


@pytest.fixture
def allowed(local_fetches: None) -> None:
    pass


def test_it_fetches_a_page(page_server: str, allowed: None) -> None:
    fetched = fetch(f"{page_server}/pages/emoji-quotes.html")

    assert fetched.url == f"{page_server}/pages/emoji-quotes.html"
    assert "🤷\u200d♀️" in fetched.html


def test_it_reads_a_gzipped_page(page_server: str, allowed: None) -> None:
    assert "Levant Wire" in fetch(f"{page_server}/gzip").html


def test_it_follows_a_few_redirects_and_says_where_it_ended(
    page_server: str, allowed: None, settings
) -> None:
    settings.ARTICLE_IMPORT_MAX_REDIRECTS = 3
    fetched = fetch(f"{page_server}/redirect?3")
    assert fetched.url == f"{page_server}/pages/wire-video.html"

    with pytest.raises(FetchError, match="redirects more than 3 times"):
        fetch(f"{page_server}/redirect?4")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/json", "gives application/json, not an HTML page"),
        ("/big", "larger than the import limit of 100,000 bytes"),
        ("/nowhere", "answered 404"),
        ("/slow", "took longer than 1 s"),
    ],
)
def test_it_refuses_what_is_not_a_page_within_limits(
    page_server: str, allowed: None, settings, path: str, message: str
) -> None:
    settings.ARTICLE_IMPORT_MAX_BYTES = 100_000
    settings.ARTICLE_IMPORT_READ_TIMEOUT = 1
    with pytest.raises(FetchError, match=message):
        fetch(f"{page_server}{path}")


@pytest.mark.parametrize(
    "address",
    [
        "ftp://example.org/story",
        "file:///etc/passwd",
        "http://user:secret@example.org/",
        "http:///no-host",
    ],
)
def test_it_refuses_addresses_it_does_not_fetch(address: str) -> None:
    with pytest.raises(FetchError):
        fetch(address)


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:{port}/pages/wire-video.html",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/pages/wire-video.html",
        "http://localhost:{port}/pages/wire-video.html",  # a name that resolves to 127.0.0.1
        "http://0.0.0.0:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
    ],
)
def test_internal_addresses_are_refused_unless_allowed(page_server: str, address: str) -> None:
    port = page_server.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match="an internal address"):
        fetch(address.format(port=port))


def test_a_redirect_to_an_internal_address_is_refused(
    page_server: str, settings, monkeypatch
) -> None:
    # The page server itself is internal; pretend its own address is public, so that only
    # the redirect's target is refused.
    real = socket.getaddrinfo

    def public_name(host: str, *args: object, **kwargs: object) -> list:
        if host == "news.example.test":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", public_name)
    monkeypatch.setattr(
        "annotations.importing.fetch.is_internal", lambda address: str(address) != "127.0.0.1"
    )
    port = page_server.rsplit(":", 1)[1]
    first = f"http://news.example.test:{port}/redirect-elsewhere?http://10.0.0.7/"

    with pytest.raises(FetchError, match=r"10\.0\.0\.7, an internal address"):
        fetch(first)


def test_the_address_checked_is_the_address_connected_to(
    page_server: str, allowed: None, monkeypatch
) -> None:
    # A name is looked up once: the connection goes to that answer, so a second lookup
    # that answers otherwise (DNS rebinding) is never made.
    answers = iter(["127.0.0.1", "10.9.9.9"])
    real = socket.getaddrinfo

    def rebinding(host: str, *args: object, **kwargs: object) -> list:
        if host == "rebind.example.test":
            return real(next(answers), *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = page_server.rsplit(":", 1)[1]

    assert "Levant Wire" in fetch(f"http://rebind.example.test:{port}/pages/wire-video.html").html


@pytest.mark.parametrize(
    ("address", "internal"),
    [("8.8.8.8", False), ("2606:4700::1111", False), ("127.0.0.5", True), ("fd00::1", True),
     ("fe80::1", True), ("::", True), ("240.0.0.1", True), ("::ffff:10.0.0.1", True)],
)  # fmt: skip
def test_which_addresses_are_internal(address: str, internal: bool) -> None:
    import ipaddress

    assert is_internal(ipaddress.ip_address(address)) is internal


def test_a_name_that_does_not_resolve_says_so() -> None:
    with pytest.raises(FetchError, match="could not be resolved"):
        resolve("no-such-host.invalid", 80)
