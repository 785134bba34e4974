"""Start a throw-away OpenLink Virtuoso on 127.0.0.1 for the remote-store tests, and stop it after.

Debian's ``virtuoso-opensource`` (``scripts/install-virtuoso.sh``) gives ``virtuoso-t`` and ``isql-vt``. We write a
minimal ``virtuoso.ini`` into a temporary folder (database, transaction log and temp database there; the SQL and HTTP
ports free ports on the loopback address only), run ``virtuoso-t -f -c virtuoso.ini`` in the foreground, wait until
the SPARQL endpoint answers, and give the authenticated endpoint ``/sparql-auth`` (HTTP Digest, user ``dba``) the
right to update, so the tests exercise credentials like a real deployment. Nothing outside the temporary folder is
touched; the process is stopped (SIGTERM, then SIGKILL) by its pid.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DBA_USER = "dba"
DBA_PASSWORD = "dba"  # the password of a fresh database; it only ever listens on 127.0.0.1, and only for a test

_INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {db}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = 256M
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 4
NumberOfBuffers          = {buffers}
MaxDirtyBuffers          = {dirty_buffers}

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {db}/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
MaxCachedProxyConnections   = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[AutoRepair]
BadParentLinks = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[Replication]
ServerName   = ssekg-test
ServerEnable = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = {max_query_seconds}
DeferInferenceRulesInit    = 0
"""


def find_virtuoso() -> tuple[str, str] | None:
    """``(virtuoso-t, isql)`` paths, or None when Virtuoso is not installed."""
    server = shutil.which("virtuoso-t") or ("/usr/bin/virtuoso-t" if os.access("/usr/bin/virtuoso-t", os.X_OK) else None)
    isql = shutil.which("isql-vt") or shutil.which("isql-v")
    if isql is None and os.access("/usr/bin/isql-vt", os.X_OK):
        isql = "/usr/bin/isql-vt"
    if server and isql:
        return server, isql
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Virtuoso:
    """A running test instance."""

    process: subprocess.Popen
    folder: Path
    sql_port: int
    http_port: int
    isql_path: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """The anonymous, read-only endpoint."""
        return f"{self.url}/sparql"

    @property
    def sparql_auth(self) -> str:
        """The authenticated endpoint (HTTP Digest): queries and updates."""
        return f"{self.url}/sparql-auth"

    def isql(self, sql: str, timeout: float = 60) -> str:
        """Run SQL statements through isql as dba; raises when isql reports an error."""
        done = subprocess.run(
            [self.isql_path, f"127.0.0.1:{self.sql_port}", DBA_USER, DBA_PASSWORD, "VERBOSE=OFF", "BANNER=OFF",
             "PROMPT=OFF", "ECHO=OFF", "ERRORS=STDOUT"],
            input=sql if sql.rstrip().endswith(";") else sql + ";",
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        out = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in out:
            raise RuntimeError(f"isql failed ({done.returncode}): {out.strip()}")
        return out

    def log(self) -> str:
        try:
            return (self.folder / "virtuoso.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.isql("shutdown;", timeout=30)
            except (RuntimeError, subprocess.TimeoutExpired, OSError):
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=15)


def _answers(url: str) -> bool:
    probe = url + "?query=" + urllib.request.quote("ASK { }")
    request = urllib.request.Request(probe, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_virtuoso(folder: Path, timeout: float = 120, buffers: int = 10000,
                   max_query_seconds: float = 120) -> Virtuoso:
    """Start Virtuoso with a fresh database in ``folder``; returns when /sparql answers and updates are allowed.

    ``buffers``: 8 KiB pages of cache (Virtuoso's advice is about two thirds of the memory it may use; the
    benchmark gives it 1.3 GiB, the tests 80 MiB).
    """
    found = find_virtuoso()
    if found is None:
        raise FileNotFoundError("virtuoso-t / isql-vt not found: run scripts/install-virtuoso.sh")
    server, isql = found
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vsp").mkdir(exist_ok=True)
    last_error: str = ""
    for _attempt in range(3):  # a free port can be taken between the probe and Virtuoso's bind: try again
        sql_port, http_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(_INI.format(db=folder, sql_port=sql_port, http_port=http_port, buffers=buffers,
                                   dirty_buffers=buffers * 3 // 4, max_query_seconds=max(1, round(max_query_seconds))),
                       encoding="utf-8")
        log = open(folder / "stdout.log", "ab")
        process = subprocess.Popen(
            [server, "-f", "-c", str(ini)], cwd=folder, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        instance = Virtuoso(process, folder, sql_port, http_port, isql)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(instance.sparql):
                _grant_updates(instance)
                return instance
            time.sleep(0.5)
        last_error = instance.log()[-3000:]
        instance.stop()
        for name in ("virtuoso.db", "virtuoso.trx", "virtuoso-temp.db", "virtuoso-temp.trx", "virtuoso.lck"):
            (folder / name).unlink(missing_ok=True)
    raise RuntimeError(f"Virtuoso did not start in {timeout:.0f} s; its log ends with:\n{last_error}")


def _grant_updates(instance: Virtuoso) -> None:
    """dba (Digest, /sparql-auth) may read and write every graph; the anonymous /sparql user only reads."""
    instance.isql("DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1);")
