"""Every setting of ssekg, declared once as data.

A value comes from, in rising order of precedence: the default below, a TOML settings file (``--config`` or
``SSEKG_CONFIG``), an ``SSEKG_<NAME>`` environment variable, a command-line flag. ``ssekg settings`` prints the
effective values and where each came from, so nobody has to guess.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from .errors import SettingsError
from .namespaces import DEFAULT_BASE


def default_store_dir() -> str:
    """``$XDG_DATA_HOME/ssekg/store`` (``~/.local/share/ssekg/store``): where the embedded store lives."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "ssekg" / "store")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


_CURATOR = __import__("re").compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _curators(value: Any) -> dict[str, str]:
    """Curator name → token: a TOML table ``{alice = "…"}``, or ``alice=…,bob=…`` in the environment."""
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        pairs = []
        for part in str(value).split(","):
            if part.strip():
                name, sep, token = part.partition("=")
                if not sep:
                    raise ValueError(f"write name=token pairs separated by commas, not {part.strip()!r}")
                pairs.append((name, token))
    out: dict[str, str] = {}
    for name, token in pairs:
        name, token = str(name).strip(), str(token).strip()
        if not _CURATOR.match(name):
            raise ValueError(f"a curator's name is letters, digits, '.', '_' or '-' (at most 64), not {name!r}")
        if len(token) < 16:
            raise ValueError(f"the token of curator {name!r} is shorter than 16 characters")
        if token in out.values():
            raise ValueError(f"two curators share a token ({name!r}): the graph could not say who saved")
        out[name] = token
    return out


def _auth(value: Any) -> str:
    text = str(value).strip().lower()
    if text not in {"basic", "digest", "bearer"}:
        raise ValueError(f"must be basic, digest or bearer, not {value!r}")
    return text


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[Any], Any] = str
    secret: bool = False

    @property
    def env(self) -> str:
        return "SSEKG_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("store", None, "directory of the embedded Oxigraph store (default: $XDG_DATA_HOME/ssekg/store)"),
    Setting("base", DEFAULT_BASE, "base IRI of instance data (reports, events, people…)"),
    Setting("host", "127.0.0.1", "address the server listens on"),
    Setting("port", 8000, "port the server listens on", int),
    Setting("workers", 1, "server worker processes (the embedded store allows one writer: keep 1)", int),
    Setting("threads", 8, "threads per server worker", int),
    Setting("query_timeout", 30.0, "seconds after which a SPARQL query is stopped", float),
    Setting("trusted_proxies", [], "addresses of reverse proxies whose X-Forwarded-For names the client, comma-separated",
            _list),
    Setting("max_client_queries", 4, "SPARQL queries one client (address) may run at a time; more get 429", int),
    Setting("max_rows", 100_000, "largest number of result rows a query may return", int),
    Setting("max_request_bytes", 1_000_000, "largest HTTP request body accepted, however it is framed", int),
    Setting("max_batch_bytes", 64_000_000, "largest batch of prepared reports (POST /ingest/batch, with the token) "
            "once its gzip is inflated", int),
    Setting("header_timeout", 10.0, "seconds a client has to send a request's head (then 408)", float),
    Setting("body_timeout", 30.0, "seconds a client has to send a whole request (then 408)", float),
    Setting("update_token", None, "bearer token that enables SPARQL Update and Graph Store writes", secret=True),
    Setting("curators", {}, "curators of the review page and their bearer tokens: name=token pairs, comma-separated "
            "(one token per person: the graph says who saved each revision)", _curators, secret=True),
    Setting("review_dir", None, "folder of the extracted cards curators review, with their revisions and the reports' "
            "texts (default: review/ in the store's folder, or $XDG_DATA_HOME/ssekg/review with a remote store)"),
    Setting("outbound_allow", [], "hosts that SPARQL SERVICE and LOAD may reach, comma-separated (default: none; "
            "nothing leaves the machine)", _list),
    Setting("service_allow", None, "deprecated name of outbound_allow (read into it)", _list),
    Setting("cors", True, "send CORS headers on read-only routes", _bool),
    Setting("public_url", None, "the address users reach the server at, if behind a proxy"),
    Setting("publisher", None, "who publishes the dataset (a name or an IRI), stated in its VoID description"),
    Setting("data_license", "https://creativecommons.org/licenses/by/4.0/", "licence IRI of the dataset (VoID/DCAT, dump)"),
    Setting("endpoint", None, "query URL of a remote SPARQL 1.1 store to use instead of the embedded one"),
    Setting("update_endpoint", None, "update URL of the remote store (default: the endpoint)"),
    Setting("endpoint_graph_store", None, "Graph Store Protocol URL of the remote store (large graphs are PUT there)"),
    Setting("endpoint_auth", None, "how to authenticate to the remote store: basic, digest or bearer", _auth),
    Setting("endpoint_user", None, "user name for the remote store (basic or digest)"),
    Setting("endpoint_password", None, "password for the remote store (basic or digest)", secret=True),
    Setting("endpoint_token", None, "bearer token for the remote store", secret=True),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass
class Settings:
    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def store_dir(self) -> str:
        return self.values["store"] or default_store_dir()

    @property
    def review_path(self) -> Path:
        """Where the review page's cards live: ``review_dir``, else beside the store it belongs to."""
        if self.values.get("review_dir"):
            return Path(self.values["review_dir"])
        if self.values.get("endpoint"):
            return Path(default_store_dir()).with_name("review")  # $XDG_DATA_HOME/ssekg/review
        return Path(self.store_dir) / "review"


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the settings file, SSEKG_* variables and ``overrides`` (CLI flags; None means unset)."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}

    config_file = config_file or environ.get("SSEKG_CONFIG")
    if config_file:
        try:
            with open(config_file, "rb") as fh:
                from_file = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read the settings file {config_file}: {exc}") from exc
        for name, value in from_file.items():
            _set(values, sources, name, value, f"file {config_file}")

    for setting in SETTINGS:
        if setting.env in environ:
            _set(values, sources, setting.name, environ[setting.env], f"env {setting.env}")

    for name, value in (overrides or {}).items():
        if value is not None:
            _set(values, sources, name, value, "command line")
    if values.get("service_allow") is not None and sources["outbound_allow"] == "default":
        values["outbound_allow"] = values["service_allow"]  # the old name, still read
        sources["outbound_allow"] = sources["service_allow"] + " (as service_allow)"
    return Settings(values, sources)


def _set(values: dict, sources: dict, name: str, raw: Any, source: str) -> None:
    setting = BY_NAME.get(name)
    if setting is None:
        raise SettingsError(f"unknown setting {name!r} (from {source}); known: {', '.join(BY_NAME)}")
    try:
        values[name] = None if raw is None else setting.parse(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name} from {source}: {exc}") from exc
    sources[name] = source
