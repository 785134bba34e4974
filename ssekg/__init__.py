"""ssekg: an open knowledge graph of the social and solidarity economy.

The pipeline runs one way: report -> extraction -> RDF -> SHACL -> OWL RL -> store -> SPARQL/HTTP.
Each stage lives in its own module and is a plain function; the CLI only wires them together.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ssekg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
