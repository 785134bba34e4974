"""The ``ssekg`` command: one subcommand per pipeline stage.

Exit codes (also in ``ssekg --help`` and the README):
  0  everything asked for was done
  1  the run finished, but some input was rejected (each one is listed with its reason)
  2  usage or environment error: bad option, missing file, store locked by another process, bad setting
"""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .errors import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, InputError, SettingsError, StoreError
from .settings import SETTINGS, Settings, load_settings

EPILOG = "Exit codes: 0 ok, 1 some input rejected, 2 usage or environment error."


class _Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:  # turn our errors into messages and exit code 2
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("aborted", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_USAGE)
        except (StoreError, SettingsError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)


def store_options(func: Callable) -> Callable:
    """--store / --config / --base, on every subcommand that touches the store."""

    @click.option("--store", "store_dir", type=click.Path(file_okay=False), help="store directory [env SSEKG_STORE]")
    @click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True), help="settings file (TOML) [env SSEKG_CONFIG]")
    @click.option("--base", help="base IRI of instance data [env SSEKG_BASE]")
    @click.option("--endpoint", help="query URL of a remote SPARQL 1.1 store to use instead of --store; credentials "
                  "come from settings or SSEKG_ENDPOINT_* variables, never from here [env SSEKG_ENDPOINT]")
    @functools.wraps(func)
    def wrapper(store_dir: str | None, config_file: str | None, base: str | None, endpoint: str | None = None, **kwargs: Any) -> Any:
        settings = load_settings({"store": store_dir, "base": base, "endpoint": endpoint}, config_file)
        return func(settings=settings, **kwargs)

    return wrapper


def open_store(settings: Settings):
    """The embedded store, or the remote SPARQL store when an endpoint is set (ssekg.backends)."""
    from .backends import open_any_store

    return open_any_store(settings)


@click.group(cls=_Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="ssekg")
def main() -> None:
    """ssekg: reports of social and solidarity economy events, turned into linked data."""


class _Progress:
    """How a run shows where it is, in one of three ways (issue 15):

    - ``verbose`` (``-v``): a line per file as its outcome is known, numbered against the run: ``[ 12/340] ok  file …``;
    - ``live`` (a terminal, the default there): one line rewritten in place, with done/total, the rate, the time
      left and the rejections so far; each rejection is printed above it as it comes;
    - ``quiet`` (``-q``, or output to a pipe or a file): nothing until the summary, which lists the rejections.
    """

    def __init__(self, total: int, verbose: bool = False, live: bool = False):
        self.total, self.verbose, self.live, self.done, self.rejected = total, verbose, live and not verbose, 0, 0
        self.started = time.monotonic()
        self.drawn = 0.0

    @classmethod
    def for_run(cls, total: int, quiet: bool, verbose: bool) -> "_Progress":
        return cls(total, verbose=verbose and not quiet, live=not quiet and sys.stderr.isatty())

    def __call__(self, outcome) -> None:
        self.done += 1
        width = len(str(self.total))
        counter = f"[{self.done:>{width}}/{self.total}]"
        if not outcome.accepted:
            self.rejected += 1
        if self.verbose:
            if outcome.accepted:
                click.echo(f"{counter} ok       {outcome.source}  report/{outcome.key}  "
                           f"{outcome.asserted}+{outcome.inferred} triples", err=True)
                for problem in outcome.warnings:
                    click.echo(f"{' ' * len(counter)}          {problem}", err=True)
            else:
                click.echo(f"{counter} rejected {outcome.reason}", err=True)
        elif self.live:
            if not outcome.accepted:
                click.echo("\r\033[K" + f"{counter} rejected {(outcome.reason or '').splitlines()[0]}", err=True)
            now = time.monotonic()
            if now - self.drawn >= 0.2 or self.done == self.total or not outcome.accepted:
                self.drawn = now
                click.echo("\r\033[K" + self.line(now), nl=False, err=True)
            if self.done == self.total:
                click.echo("\r\033[K", nl=False, err=True)

    def line(self, now: float) -> str:
        seconds = max(now - self.started, 1e-9)
        rate = self.done / seconds
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        return (f"{self.done}/{self.total}  {rate:.1f} files/s  {_duration(left)} left  "
                f"{self.rejected} rejected")


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else (
        f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s")


def _summary(outcomes: list, verb: str) -> int:
    accepted = [o for o in outcomes if o.accepted]
    rejected = [o for o in outcomes if not o.accepted]
    triples = sum(o.asserted + o.inferred for o in accepted)
    if rejected:  # again at the end, where a long run's early rejections would have scrolled away
        click.echo("rejected:", err=True)
        for outcome in rejected:
            first_line = (outcome.reason or "").splitlines()[0] if outcome.reason else outcome.source
            click.echo(f"  {first_line}", err=True)
    click.echo(
        f"{len(outcomes)} read, {len(accepted)} {verb}, {len(rejected)} rejected, "
        f"{triples} triples ({sum(o.asserted for o in accepted)} asserted, {sum(o.inferred for o in accepted)} inferred)",
        err=True,
    )
    return EXIT_REJECTED if rejected else EXIT_OK


@main.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-q", "--quiet", is_flag=True, help="print the summary only (also when the output is not a terminal)")
@click.option("-v", "--verbose", is_flag=True, help="print a line for each file as it is done")
@click.option("--server", "server_url", metavar="URL",
              help="send the files to a running `ssekg serve` (its POST /ingest) instead of opening the store; "
                   "the token comes from the update_token setting [env SSEKG_UPDATE_TOKEN]")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="worker processes preparing reports in parallel  [default: the number of cores]")
@click.option("--replace-curated", is_flag=True,
              help="replace reports curators corrected on the review pages by what is ingested now (their revisions "
                   "are otherwise kept, and an older version of such a report is rejected)")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, exists=True),
              help="a TSV or CSV list of the report files with their url, published, publisher, license, "
                   "publish_text (docs/cards.md)")
@store_options
def ingest(settings: Settings, paths: tuple[str, ...], quiet: bool, verbose: bool, jobs: int | None,
           server_url: str | None, sources_file: str | None, replace_curated: bool) -> None:
    """Ingest cards (.yaml/.json) and reports (.txt/.md/.html) from files and folders into the store."""
    import os

    from ssekg.ingest.pipeline import ingest_paths

    files = _inputs(paths, quiet)
    if sources_file:
        if server_url:
            click.echo("error: --sources is read here, not by the server: with --server, give each report its "
                       "metadata in front matter or a sidecar file (docs/cards.md)", err=True)
            sys.exit(EXIT_USAGE)
        _use_sources(sources_file, files)
    if server_url:
        from ssekg.ingest.client import ingest_via_server

        if replace_curated:
            click.echo("error: --replace-curated is for a store opened here; through a server, drop the curated "
                       "reports first (ssekg drop KEY, or DELETE on the Graph Store)", err=True)
            sys.exit(EXIT_USAGE)

        click.echo(f"server: {server_url}", err=True)
        outcomes = ingest_via_server(server_url, files, settings.update_token,
                                     _Progress.for_run(len(files), quiet, verbose), jobs=jobs)
        sys.exit(_summary(outcomes, "accepted"))
    jobs = jobs or os.cpu_count() or 1
    store = open_store(settings)
    from ssekg.ingest.pipeline import keep_extractions

    keep_extractions(settings.review_path, replace_curated)  # what the review page (/review) lets curators correct
    from .backends import store_label

    click.echo(f"store: {store_label(settings)}", err=True)
    progress = _Progress.for_run(len(files), quiet, verbose)
    if jobs > 1 and len(files) > 1:
        from ssekg.ingest.parallel import ingest_parallel

        outcomes = ingest_parallel(store, files, jobs=jobs, on_outcome=progress, replace_curated=replace_curated)
    else:
        outcomes = ingest_paths(store, files, on_outcome=progress, replace_curated=replace_curated)
    store.close()
    sys.exit(_summary(outcomes, "accepted"))


def _use_sources(sources_file: str, files: list[Path]) -> None:
    """Read the sources list; say which listed files are not among the inputs (a typo would lose a URL)."""
    from ssekg.ingest.readers import use_sources
    from ssekg.ingest.sources import load_sources

    try:
        listed = load_sources(sources_file)
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    given = {str(p.resolve()) for p in files}
    for missing in sorted(set(listed) - given):
        click.echo(f"warning: {sources_file} lists {missing}, which is not among the files to ingest", err=True)
    use_sources(listed)


def _inputs(paths: tuple[str, ...], quiet: bool) -> list[Path]:
    """The cards and reports of ``paths``; says which files of the folders were skipped, and stops (exit 2)
    when there is nothing to read at all."""
    from ssekg.ingest.pipeline import CARD_SUFFIXES, TEXT_SUFFIXES, expand_paths

    skipped: list[Path] = []
    files = list(expand_paths(paths, skipped))
    kinds = f"cards ({', '.join(CARD_SUFFIXES)}) and reports ({', '.join(TEXT_SUFFIXES)})"
    if skipped:
        if quiet:
            click.echo(f"skipped {len(skipped)} files that are not {kinds}", err=True)
        else:
            for path in skipped:
                click.echo(f"skipped {path}: not a card or a report (its suffix is {path.suffix or 'none'})", err=True)
    if not files:
        click.echo(f"error: nothing to ingest in {', '.join(paths)}: ssekg reads {kinds}", err=True)
        sys.exit(EXIT_USAGE)
    return files


@main.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--base", help="base IRI of instance data")
def validate(paths: tuple[str, ...], base: str | None) -> None:
    """Read, map and validate cards and reports without storing them."""
    from ssekg.ingest.pipeline import validate_paths

    settings = load_settings({"base": base})
    outcomes = validate_paths(paths, settings.base)
    progress = _Progress(len(outcomes), verbose=True)
    for outcome in outcomes:
        progress(outcome)
    sys.exit(_summary(outcomes, "valid"))


@main.command(epilog=EPILOG)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["yaml", "json", "trig"]), default="yaml", show_default=True)
@click.option("--base", help="base IRI of instance data")
def extract(path: str, fmt: str, base: str | None) -> None:
    """Extract the event card of a report (.txt/.md/.html), for a curator to review and ingest."""
    from ssekg.ingest.cards import card_to_text
    from ssekg.ingest.pipeline import read_card

    try:
        card = read_card(Path(path))
        if fmt == "trig":
            from rdflib import Dataset, URIRef

            from ssekg.ingest.mapping import card_key, card_to_graph
            from ssekg.namespaces import bind_prefixes, report_iri

            settings = load_settings({"base": base})
            graph = card_to_graph(card, base=settings.base, source=path)
            ds = Dataset()
            bind_prefixes(ds, settings.base)
            named = ds.graph(URIRef(report_iri(settings.base, card_key(card))))
            for triple in graph:
                named.add(triple)
            click.echo(ds.serialize(format="trig"))
        else:
            click.echo(card_to_text(card, fmt), nl=False)
    except InputError as exc:
        click.echo(f"rejected {exc}", err=True)
        sys.exit(EXIT_REJECTED)


@main.command(epilog=EPILOG)
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads"]), default="trig", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="file to write (default: stdout)")
@store_options
def export(settings: Settings, fmt: str, output: str | None) -> None:
    """Write the whole dataset, one named graph per report, as TriG or N-Quads."""
    store = open_store(settings)
    if output:
        store.export(output, fmt)
    else:
        store.export(sys.stdout.buffer, fmt)
        sys.stdout.buffer.flush()
    store.close()


@main.command(epilog=EPILOG)
@click.argument("source", required=False)
@click.option("-e", "--expr", help="the SPARQL query text itself")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="bind a named query's parameter")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "markdown", "turtle"]), default="table", show_default=True)
@store_options
def query(settings: Settings, source: str | None, expr: str | None, params: tuple[str, ...], fmt: str) -> None:
    """Run a SPARQL query: a .rq file, a named query from queries/ (see `ssekg queries`), or -e TEXT."""
    from .outbound import Refused, check_text
    from .query import QueryError, named_queries, resolve_query, run_query, text_for, write_result

    try:
        text, bindings = resolve_query(source, expr, params)
        check_text(text, allow=settings.outbound_allow)
        from .backends import open_for_reading

        store, note = open_for_reading(settings)
        if note:
            click.echo(note, err=True)
        if source and not expr and source in named_queries():  # read from the comparison cube where it answers
            text = text_for(store, named_queries()[source], bindings)[0]
        result = run_query(store, text, bindings)
        write_result(result, fmt, sys.stdout)
    except Refused as exc:
        click.echo(f"error: the query is refused: {exc.reason}" + (f"\n  hint: {exc.hint}" if exc.hint else ""), err=True)
        sys.exit(EXIT_USAGE)
    except QueryError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


@main.command(epilog=EPILOG)
def queries() -> None:
    """List the named queries with their descriptions and parameters."""
    from .query import named_queries

    for q in named_queries().values():
        click.echo(f"{q.name}\n  {q.title}\n  {q.description}")
        for p in q.params:
            click.echo(f"  --param {p.name}=…  {p.description}")


@main.command(epilog=EPILOG)
@click.option("--host", help="address to listen on [env SSEKG_HOST]")
@click.option("--port", type=int, help="port to listen on [env SSEKG_PORT]")
@click.option("--threads", type=int, help="threads of the worker [env SSEKG_THREADS]")
@click.option("--query-timeout", type=float, help="seconds before a query is stopped [env SSEKG_QUERY_TIMEOUT]")
@store_options
def serve(settings: Settings, host: str | None, port: int | None, threads: int | None, query_timeout: float | None) -> None:
    """Serve the store: SPARQL 1.1 endpoint at /sparql, Linked Data pages, the query UI."""
    from ssekg.server.serve import run

    for name, value in (("host", host), ("port", port), ("threads", threads), ("query_timeout", query_timeout)):
        if value is not None:
            settings.values[name] = value
            settings.sources[name] = "command line"
    run(settings)


@main.command(epilog=EPILOG)
@click.argument("keys", nargs=-1, required=True)
@store_options
def drop(settings: Settings, keys: tuple[str, ...]) -> None:
    """Remove reports (by key, as in report/KEY) and what was inferred from them."""
    store = open_store(settings)
    missing = [key for key in keys if not store.drop_report(key)]
    store.close()
    for key in missing:
        click.echo(f"no report {key} in the store", err=True)
    sys.exit(EXIT_REJECTED if missing else EXIT_OK)


@main.command(epilog=EPILOG)
@store_options
def stats(settings: Settings) -> None:
    """Counts of the store: reports, graphs, distinct triples."""
    store = open_store(settings)
    from .backends import store_label

    click.echo(json.dumps({"store": store_label(settings), **store.stats()}, indent=2))
    store.close()


@main.group(epilog=EPILOG)
def cube() -> None:
    """The comparison cube: the counts the comparison page reads, kept with every write (docs/queries.md)."""


@cube.command("status", epilog=EPILOG)
@store_options
def cube_status(settings: Settings) -> None:
    """Whether the store has a cube the named queries can read, and why not."""
    from . import cube as cube_module
    from .backends import open_for_reading

    store, note = open_for_reading(settings)
    if note:
        click.echo(note, err=True)
    st = cube_module.status(store)
    store.close()
    click.echo(json.dumps({"present": st.present, "version": st.version, "current": st.current,
                           "pending": st.pending, "irregularEvents": st.irregular, "realEvents": st.real_events,
                           "usable": st.usable}, indent=2))


@cube.command("rebuild", epilog=EPILOG)
@store_options
def cube_rebuild(settings: Settings) -> None:
    """Count the cube again from every report of the store (after writes made around ssekg, e.g. straight to a
    remote store; ssekg's own writes keep it up to date)."""
    from . import cube as cube_module

    store = open_store(settings)
    started = time.perf_counter()
    counts = cube_module.rebuild(store)
    store.close()
    click.echo(f"{len(counts.cells)} observations counted in {time.perf_counter() - started:.1f} s", err=True)


@main.group(epilog=EPILOG)
def gold() -> None:
    """Curators' corrections as gold for the extractor (docs/review.md)."""


@gold.command("export", epilog=EPILOG)
@click.argument("out", type=click.Path(file_okay=False))
@store_options
def gold_export(settings: Settings, out: str) -> None:
    """Write the reports curators saved (revision 1 or later) as gold: OUT/gold/KEY.yaml (offsets), OUT/reports/
    (their texts), OUT/split.tsv, OUT/cards.json. `make train TRAIN_ARGS="--extra-gold OUT"` learns from them;
    `python bench/extract.py --gold OUT --cards OUT/cards.json` scores the curated cards against their gold."""
    from ssekg.ingest.gold import export_curated
    from ssekg.ingest.review import load_revision, stored_revisions

    from .backends import open_for_reading

    store, note = open_for_reading(settings)
    if note:
        click.echo(note, err=True)
    revisions = stored_revisions(store)
    store.close()
    cards, missing = {}, []
    for key, n in sorted(revisions.items()):
        card = load_revision(settings.review_path, key, n)
        if card is None:
            missing.append(f"{key}: revision {n} is not in {settings.review_path}")
        else:
            cards[key] = card
    problems = export_curated(cards, Path(out))
    for line in missing + problems:
        click.echo(f"warning: {line}", err=True)
    click.echo(f"{len(cards)} curated reports written to {out}", err=True)
    sys.exit(EXIT_REJECTED if missing else EXIT_OK)


@main.command("settings", epilog=EPILOG)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True), help="settings file (TOML)")
def show_settings(config_file: str | None) -> None:
    """Print every setting, its effective value and where it came from."""
    settings = load_settings({}, config_file)
    for setting in SETTINGS:
        value = settings.values[setting.name]
        if setting.name == "curators" and value:
            value = ", ".join(sorted(value)) + " (tokens ***)"  # who may curate is no secret; their tokens are
        elif setting.secret and value:
            value = "***"
        if setting.name == "store" and value is None:
            value = settings.store_dir
        click.echo(f"{setting.name:18} {value!s:40} ({settings.sources[setting.name]}; {setting.env})  {setting.help}")


if __name__ == "__main__":  # pragma: no cover
    main()
