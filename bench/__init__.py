"""Load benchmark of the production server: `make bench` (see bench/README.md)."""
