"""Writing many rows fast, for the scale seed (`scale.py`): never in request code.

- `Table`: one model's rows as plain tuples, written in batches with `COPY ... FROM STDIN` on
  PostgreSQL (no model instance, no per-field preparation) or `bulk_create` elsewhere.
- `loading()`: on PostgreSQL, the tables' indexes and foreign keys set aside during a load and built
  again at its end. Built once over the loaded rows they cost a fraction of maintaining them row by
  row: at N=10, 1M lesson-progress rows went in 3 s without indexes (+8 s to build them) against 54 s
  with them, and the deferred foreign-key checks took 45 s at commit against 3 s to add the
  constraints back (validated with one query each). PostgreSQL's "Populating a Database" advice.
- `uuid4()`: version-4 ids from a seeded generator, cheaply (as integers).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection, models, reset_queries

BATCH_SIZE = 5000

# What `uuid.UUID(int=..., version=4)` does to the 128 random bits: the variant and version fields.
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def uuid4(rng: random.Random) -> int:
    """A version-4 UUID drawn from `rng`, as its 128-bit integer: the value of
    `uuid.UUID(int=rng.getrandbits(128), version=4)` without building the object (~2 us a row, the
    largest cost left per row). Django's UUIDField takes the integer (`bulk_create`), and `Table`'s
    COPY sends it as the uuid's 16 bytes."""
    return rng.getrandbits(128) & _UUID4_CLEAR | _UUID4_SET


@contextmanager
def given_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Let `bulk_create` keep the `auto_now_add` timestamps we computed (a history spread over
    months) instead of stamping every row with the current time. Process-wide while it lasts: only
    for this command, never in request code."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _ in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


def copies() -> bool:
    """COPY needs PostgreSQL through psycopg 3 (`cursor.copy()`); other databases take `bulk_create`."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3  # imports psycopg: only here

    return is_psycopg3


class Table:
    """One step's rows of one model: plain tuples in the order of `columns` (attnames), appended to
    `rows` and written by `flush()`; `written` counts them.

    On PostgreSQL a flush is one binary `COPY ... FROM STDIN` fed with psycopg's `write_row`: no
    model instance, no per-field preparation, and no text to format or parse (a text COPY spent
    ~4x more per row, most of it on timestamps). The values must then be of the columns' Python
    types: UUID or a `uuid4()` integer, aware datetime, Decimal, int, str, bool, dict/list for JSON.
    The fields missing from `columns` get one value for the whole step: `now` for the
    auto_now(_add) timestamps, else the field's default. Elsewhere (SQLite: the tests, a laptop)
    the tuples become model instances for `bulk_create`, which keeps the given auto_now_add
    timestamps and stamps auto_now ones itself."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, now: datetime) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
        rest = [f for name, f in fields.items() if name not in columns]
        if model._meta.pk in rest:
            raise ValueError(f"{model.__name__}: the rows must carry their primary key")
        self.model = model
        self.columns = tuple(columns)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self._copy = copies()
        self._given = [fields[name] for name in columns if getattr(fields[name], "auto_now_add", False)]
        if self._copy:
            ordered = [*(fields[name] for name in columns), *rest]
            self._tail = tuple(now if _stamped(f) else f.get_default() for f in rest)
            quote = connection.ops.quote_name
            table = model._meta.db_table
            names = ", ".join(quote(f.column) for f in ordered)
            self._sql = f"COPY {quote(table)} ({names}) FROM STDIN (FORMAT BINARY)"
            # Binary COPY sends no type with a value: psycopg must know each column's.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                    [quote(table)],
                )
                oids = dict(cursor.fetchall())
            self._types = [oids[f.column] for f in ordered]

    def flush(self) -> int:
        """Write the pending rows; returns how many."""
        count = len(self.rows)
        if count:
            if self._copy:
                self._write_copy()
            else:
                self._write_bulk()
        self.written += count
        self.rows.clear()
        # With DEBUG on, Django keeps every statement; multi-megabyte INSERTs would pile up in memory.
        reset_queries()
        return count

    def _write_copy(self) -> None:
        tail = self._tail
        with connection.cursor() as cursor:
            # For this cursor only: uuid columns take our integer ids as well as UUID objects.
            cursor.adapters.register_dumper(uuid.UUID, _uuid_dumper())
            with cursor.copy(self._sql) as copy:
                copy.set_types(self._types)
                write = copy.write_row
                for row in self.rows:
                    write(row + tail)

    def _write_bulk(self) -> None:
        model, columns = self.model, self.columns
        with given_timestamps(*self._given):
            model.objects.bulk_create(
                [model(**dict(zip(columns, row, strict=True))) for row in self.rows], batch_size=BATCH_SIZE
            )


@cache
def _uuid_dumper() -> type:
    """psycopg's binary dumper for uuid columns, taking the ids of `uuid4()` (ints) too."""
    from psycopg import postgres  # psycopg: only on PostgreSQL
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    class UUIDOrIntBinaryDumper(Dumper):
        format = Format.BINARY
        oid = postgres.types["uuid"].oid

        def dump(self, obj: uuid.UUID | int) -> bytes:
            return obj.to_bytes(16, "big") if type(obj) is int else obj.bytes

    return UUIDOrIntBinaryDumper


def _stamped(field: models.Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


# --- Indexes and foreign keys set aside during a load ----------------------------------------------

# The tables' own foreign keys, unique and primary-key constraints, as `ALTER TABLE ... ADD` takes them.
_CONSTRAINTS_SQL = """
    SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
    FROM pg_constraint c
    WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u', 'p')
    ORDER BY c.conrelid::regclass::text, c.conname
"""
# Their other indexes (plain or partial), as `CREATE INDEX` statements.
_INDEXES_SQL = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = ANY(%s::regclass[])
      AND NOT EXISTS (
        SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
      )
    ORDER BY 1
"""
# Foreign keys of other tables that need a table's primary key.
_REFERENCED_SQL = """
    SELECT DISTINCT c.confrelid::regclass::text
    FROM pg_constraint c
    WHERE c.contype = 'f' AND c.confrelid = ANY(%s::regclass[]) AND NOT (c.conrelid = ANY(%s::regclass[]))
"""

_INITIALLY_IMMEDIATE_SQL = """
    SELECT conname FROM pg_constraint
    WHERE condeferrable AND NOT condeferred
      AND connamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY(current_schemas(false)))
"""


@contextmanager
def loading(*models_: type[models.Model]) -> Iterator[None]:
    """While rows are loaded into these models' tables (PostgreSQL only; elsewhere nothing happens):
    no indexes and no foreign keys on them, then every one built again under its own name and
    definition, the foreign keys validated over all rows at once. A primary key stays when another
    table's foreign key needs it.

    Only inside a transaction (the step's), so a failure rolls the DDL back with the rows. The
    tables stay locked (ACCESS EXCLUSIVE) until the commit: readers wait for the step, fine for a
    seed, never for request code. PostgreSQL refuses to alter a table with pending trigger events
    (deferred foreign-key checks: a test's transaction has some, from the demo world's rows), so the
    pending checks run first (`SET CONSTRAINTS ALL IMMEDIATE`) and the constraints are deferred
    again at the end, as every deferrable one of ours is initially."""
    if not copies():
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("loading() alters tables: run it inside a transaction")
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(_CONSTRAINTS_SQL, [tables])
        constraints = cursor.fetchall()
        cursor.execute(_INDEXES_SQL, [tables])
        indexes = cursor.fetchall()
        cursor.execute(_REFERENCED_SQL, [tables, tables])
        referenced = {table for (table,) in cursor.fetchall()}
        kept = [row for row in constraints if row[2] == "p" and row[0] in referenced]
        dropped = [row for row in constraints if row not in kept]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Foreign keys first: a primary key cannot go while one of ours still needs it.
        for table, name, _, _ in sorted(dropped, key=lambda row: row[2] != "f"):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        # Keys and unique constraints first, so the foreign keys find the indexes they need.
        for table, name, _, definition in sorted(dropped, key=lambda row: row[2] == "f"):
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(_INITIALLY_IMMEDIATE_SQL)
        immediate = [quote(name) for (name,) in cursor.fetchall()]
        if immediate:  # none today; should one come, it keeps its own mode
            cursor.execute(f"SET CONSTRAINTS {', '.join(immediate)} IMMEDIATE")
