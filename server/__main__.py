"""`python -m ssekg.server`: serve with the settings from the environment (what `ssekg serve` does)."""

from ssekg.settings import load_settings

from .serve import run

run(load_settings())
