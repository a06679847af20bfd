"""Fetching a web page for import, safely.

The address a reviewer pastes is fetched by the server, so it must not become a
way into the server's own network. Every host name is resolved here, every
address it resolves to is checked (no loopback, private, link-local, shared,
reserved, multicast or unspecified address, unless
ARTICLE_IMPORT_ALLOW_PRIVATE_ADDRESSES is on), and the connection goes to the
address that was checked, so that a second lookup cannot answer differently.
Redirects are followed by hand, a few at most, each checked the same way.
Besides: a connect timeout and a time limit for the whole answer, a size limit,
and HTML content types only. Standard library only.
"""

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

from django.conf import settings

HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECTS = (301, 302, 303, 307, 308)
USER_AGENT = "FactCheckDesk/1.0 (article import)"
CHUNK = 64 * 1024


class FetchError(Exception):
    """The page could not be fetched; the message says why, for the person who asked."""


@dataclass(frozen=True)
class FetchedPage:
    url: str  # the address that answered, after redirects
    html: str


IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_internal(address: IpAddress) -> bool:
    """Return whether ``address`` is one the server must not be sent to."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host: str, port: int) -> list[str]:
    """Return the addresses ``host`` resolves to, refusing internal ones unless allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"The host name {host} could not be resolved ({exc}).") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.ARTICLE_IMPORT_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if is_internal(ipaddress.ip_address(address.split("%", 1)[0])):
                raise FetchError(
                    f"{host} resolves to {address}, an internal address (loopback, private, "
                    "link-local or reserved); the desk does not fetch pages from there."
                )
    if not addresses:
        raise FetchError(f"The host name {host} could not be resolved.")
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand, whatever the host name says."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is checked against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.pinned_address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("Only http:// and https:// addresses can be imported.")
    if not parts.hostname:
        raise FetchError("The address names no host.")
    if parts.username or parts.password:
        raise FetchError("Addresses with a user name or password are not fetched.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("The address's port is not a number from 1 to 65535.") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path


def _charset(content_type: str) -> str | None:
    message = Message()
    message["content-type"] = content_type
    return message.get_content_charset()


def _read_body(
    response: http.client.HTTPResponse, sock: socket.socket | None, deadline: float
) -> bytes:
    limit = settings.ARTICLE_IMPORT_MAX_BYTES
    too_big = (
        f"The page is larger than the import limit of {limit:,} bytes (ARTICLE_IMPORT_MAX_BYTES)."
    )
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        raise FetchError(too_big)
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
        raise FetchError(f"The page came in an encoding the desk does not read ({encoding}).")
    inflate = None
    if encoding != "identity":
        inflate = zlib.decompressobj(wbits=47 if "gzip" in encoding else 15)
    body = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(
                f"The page took longer than {settings.ARTICLE_IMPORT_READ_TIMEOUT} s to arrive."
            )
        if sock is not None:
            sock.settimeout(remaining)
        chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
        if not chunk:
            break
        if inflate is not None:
            # Never inflate more than the limit allows: a small bomb stays small.
            chunk = inflate.decompress(chunk, limit + 1 - len(body))
        body += chunk
        if len(body) > limit:
            raise FetchError(too_big)
    return bytes(body)


def fetch(url: str) -> FetchedPage:
    """Fetch the HTML page at ``url``, following a few redirects; raise FetchError otherwise."""
    connect_timeout = settings.ARTICLE_IMPORT_CONNECT_TIMEOUT
    deadline = time.monotonic() + settings.ARTICLE_IMPORT_READ_TIMEOUT
    for _ in range(settings.ARTICLE_IMPORT_MAX_REDIRECTS + 1):
        scheme, host, port, path = _split(url)
        addresses = resolve(host, port)
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        response = connection = None
        last_error: Exception | None = None
        for address in addresses:
            connection = connection_class(host, port, address, connect_timeout)
            try:
                connection.putrequest("GET", path, skip_accept_encoding=True)
                connection.putheader("User-Agent", USER_AGENT)
                connection.putheader("Accept", "text/html,application/xhtml+xml;q=0.9")
                connection.putheader("Accept-Encoding", "gzip, identity")
                connection.endheaders()
                if connection.sock is not None:
                    connection.sock.settimeout(max(0.1, deadline - time.monotonic()))
                response = connection.getresponse()
                break
            except ssl.SSLError as exc:
                connection.close()
                raise FetchError(f"The secure connection to {host} failed: {exc}.") from None
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                last_error = exc
        if response is None or connection is None:
            reason = "timed out" if isinstance(last_error, TimeoutError) else str(last_error)
            raise FetchError(f"Could not connect to {host}: {reason}.")
        try:
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{url} redirects without saying where.")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(
                    f"{host} answered {response.status} {response.reason}: no page to import."
                )
            content_type = response.getheader("Content-Type") or ""
            media_type = content_type.split(";", 1)[0].strip().lower()
            if media_type not in HTML_TYPES:
                raise FetchError(
                    f"The address gives {media_type or 'no content type'}, not an HTML page."
                )
            try:
                body = _read_body(response, connection.sock, deadline)
            except TimeoutError:
                raise FetchError(
                    f"The page took longer than {settings.ARTICLE_IMPORT_READ_TIMEOUT} s to arrive."
                ) from None
            except (OSError, http.client.HTTPException, zlib.error) as exc:
                raise FetchError(f"The page could not be read: {exc}.") from None
            return FetchedPage(url=url, html=decode(body, _charset(content_type)))
        finally:
            connection.close()
    raise FetchError(
        f"The address redirects more than {settings.ARTICLE_IMPORT_MAX_REDIRECTS} times."
    )


def decode(body: bytes, charset: str | None = None) -> str:
    """Return the page's text: by the charset the server named, else the page's own, else UTF-8."""
    if charset is None:
        head = body[:4096].decode("ascii", "replace").lower()
        marker = head.find("charset=")
        if marker >= 0:
            value = head[marker + 8 :].lstrip("\"' ")
            charset = "".join(c for c in value[:40] if c.isalnum() or c in "-_")
    if body.startswith(b"\xef\xbb\xbf"):
        charset = "utf-8-sig"
    try:
        return body.decode(charset or "utf-8", "replace")
    except LookupError:
        return body.decode("utf-8", "replace")
