"""HTTPS: the connection goes to the checked address, the certificate is checked for the name."""

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from annotations.importing.fetch import FetchError, fetch

from .conftest import PORTS, Handler

NAME = "pages.example.test"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")  # Debian has it
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    openssl = shutil.which("openssl")
    arguments = (
        f"req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN={NAME} "
        f"-addext subjectAltName=DNS:{NAME}"
    ).split()
    subprocess.run(  # noqa: S603 (openssl found on the path, fixed arguments)
        [openssl, *arguments, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def tls_server(certificate: tuple[Path, Path]) -> Iterator[int]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = None
    for port in reversed(PORTS):
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
            break
        except OSError:
            continue
    if server is None:
        pytest.fail("No free port for the TLS test server.")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


@pytest.fixture
def name_resolves_locally(monkeypatch: pytest.MonkeyPatch, local_fetches: None) -> None:
    real = socket.getaddrinfo

    def lookup(host: str, *args: object, **kwargs: object) -> list:
        return real("127.0.0.1" if host == NAME else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)


def test_a_certificate_nobody_trusts_is_refused(tls_server: int, name_resolves_locally) -> None:
    with pytest.raises(FetchError, match=f"The secure connection to {NAME} failed"):
        fetch(f"https://{NAME}:{tls_server}/pages/wire-video.html")


def test_a_trusted_certificate_for_the_name_is_accepted_at_the_pinned_address(
    tls_server: int, name_resolves_locally, certificate: tuple[Path, Path], monkeypatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust it, as a CA

    fetched = fetch(f"https://{NAME}:{tls_server}/pages/wire-video.html")

    assert "Levant Wire" in fetched.html
