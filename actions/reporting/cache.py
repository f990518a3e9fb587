"""What a CER's pages may take from the shared cache, and when it stops being true.

Every cached entry of a CER is tied to two version numbers, kept in the shared cache itself
(settings.CACHES: one cache for every worker of every server):

* the CER's version (:func:`cluster_version`), which every write to that CER's data changes
  (actions.signals: activities, progress updates, goals and measurements, strategies,
  objectives, funding and its instruments, involvements, obstacles and measures, the CER);
* the global version (:func:`global_version`), which writes that show in every CER change: an
  actor's or an instrument's name, a user's name (authors of progress updates).

An entry is stored with the two versions it was computed under, and :func:`cached` serves it
only while both are still current. So a write never looks for entries to delete: it gives the
CER (or everything) a new version, one cache write that invalidates every entry of every
process and server at once. (The versions are stored in the entry rather than written into its
key so that one cache read fetches both versions and the entry: a page served from the cache
costs one query, and a write leaves no dead entries behind, the next computation overwrites
them.) Entries are keyed by the code as well (:func:`code_fingerprint`), so a deployment never
serves markup rendered by the previous release, and each caller adds to the key what else
changes its result: the date (figures "as of today" change at midnight with no write at all),
the as-of date, the language, the user's rights.

A version is a fresh random number rather than a counter: the database cache has no atomic
increment, and with read-then-write two servers bumping at once could write the same number, or
a slow one put back a number whose entries are still cached. A random 63-bit number is never
handed out twice.

The versions are read *before* the data an entry is computed from: a write that commits after
that bumps them afterwards, so whatever the request computed is stored under versions that are
no longer current. See actions.signals for when bumps happen.
"""

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import router, transaction

PREFIX = "cerplan"
GLOBAL_VERSION_KEY = f"{PREFIX}:version:global"


def _cluster_version_key(cluster_id):
    return f"{PREFIX}:version:cer:{int(cluster_id)}"


def _new_version():
    return secrets.randbits(63)


def _read_version(key):
    version = cache.get(key)
    if version is None:
        version = _start_version(key)
    return version


def _start_version(key):
    """A version for a key that has none (never written, or culled from the cache)."""
    version = _new_version()
    # add(): of two requests starting the same key at once, one version wins and both use it.
    if not cache.add(key, version, timeout=None):
        version = cache.get(key, version)
    return version


def cluster_version(cluster_id) -> int:
    """The CER's current cache version."""
    _note_read([_cluster_version_key(cluster_id)])
    return _read_version(_cluster_version_key(cluster_id))


def global_version() -> int:
    """The version shared by every CER (names of actors, instruments and users)."""
    _note_read([GLOBAL_VERSION_KEY])
    return _read_version(GLOBAL_VERSION_KEY)


def bump_cluster_version(cluster_id):
    """Invalidate every cached entry of the CER (see actions.signals for when)."""
    _bump(_cluster_version_key(cluster_id))


def bump_global_version():
    """Invalidate every cached entry of every CER."""
    _bump(GLOBAL_VERSION_KEY)


@functools.cache
def code_fingerprint() -> str:
    """A digest of the templates, translations and code that render the cached pages.

    Part of every key, so entries rendered by another release are never served (several servers
    share the cache, and a restart keeps it). Computed once per process.
    """
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for pattern in ("templates/**/*.html", "locale/**/*.mo", "actions/**/*.py", "clusters/**/*.py"):
        for path in sorted(base.glob(pattern)):
            if "migrations" not in path.parts:
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Entry:
    """An entry of a CER for :func:`cached_entries`."""

    #: Everything besides the CER's data that changes the value (dates, language, rights...).
    parts: tuple
    #: Computes the value when the cache has none that is current.
    compute: Callable
    timeout: object = DEFAULT_TIMEOUT
    #: Stored only when no other entry of the same read had to be computed: a page that
    #: computes its main part pays for one cache write, not two (the next request stores it).
    secondary: bool = False


def cached(cluster_id, parts, compute, timeout=DEFAULT_TIMEOUT):
    """The CER's entry named by ``parts`` if it is current, else ``compute()``, stored.

    One cache read when the entry is current; the versions are read before ``compute()`` runs.
    """
    return cached_entries(cluster_id, {"value": Entry(parts, compute, timeout)})["value"]


def cached_entries(cluster_id, entries) -> dict:
    """Several entries of the CER (``{name: Entry}``) → ``{name: value}``, read in one cache
    read with the versions; each ``compute()`` runs only when its entry is missing or stale."""
    version_keys = [_cluster_version_key(cluster_id), GLOBAL_VERSION_KEY]
    keys = {
        name: ":".join(
            str(part) for part in [PREFIX, "cer", int(cluster_id), code_fingerprint(), *entry.parts]
        )
        for name, entry in entries.items()
    }
    _note_read(version_keys)
    found = cache.get_many([*version_keys, *keys.values()])
    current = tuple(
        found[key] if found.get(key) is not None else _start_version(key) for key in version_keys
    )
    values, computed = {}, []
    for name, entry in entries.items():
        stored = found.get(keys[name])
        if stored is not None and stored[0] == current:
            values[name] = stored[1]
        else:
            values[name] = entry.compute()
            computed.append(name)
    primary_computed = any(not entries[name].secondary for name in computed)
    if computed and _may_store(version_keys):
        for name in computed:
            if not (entries[name].secondary and primary_computed):
                cache.set(keys[name], (current, values[name]), entries[name].timeout)
    return values


# -- bumps and transactions --------------------------------------------------------------------
#
# A write bumps its CER's version twice:
#
# * at once, inside the write's transaction. With the database cache (settings.CACHES) the
#   cache table is in the same database and is written on the same connection, so this bump
#   commits, or rolls back, together with the data: readers see new data and new version at
#   the same instant, nothing is left stale if the process dies right after the commit, and a
#   rolled-back write leaves the version (and the entries it keys) as they were. It also keeps
#   reads made later in the same transaction (tests run inside one) from finding entries of
#   the old data;
# * again after the commit (transaction.on_commit). With a cache outside the database (Redis,
#   the next step in docs/operations.md) the first bump is visible before the data is, so a
#   reader in between could store the old data under the new version: the second bump, once
#   the data is visible, leaves that entry behind. A rolled-back write never runs it.
#
# An import writes thousands of rows of one CER in one transaction; each bump is a cache write,
# so they are made once per transaction and CER: the bump after commit by one callback holding
# every key to bump, and the bump at once again only when the versions were read since.


class _PendingBumps:
    """The keys to bump when the current transaction commits (one on_commit callback)."""

    def __init__(self):
        self.keys = set()
        # Keys bumped inside the transaction and not read since: a further write need not
        # bump them again before the commit.
        self.bumped = set()
        self.hooks = None
        self.done = False

    def run(self):
        self.done = True
        for key in self.keys:
            cache.set(key, _new_version(), timeout=None)


def _pending(connection, create):
    pending = getattr(connection, "_cerplan_pending_bumps", None)
    # Django replaces connection.run_on_commit whenever callbacks are run or discarded (commit,
    # rollback, rollback to a savepoint): while it is still the list this callback was added
    # to, the callback is still due to run when the outermost transaction commits, and a write
    # made now survives only if that transaction commits.
    if pending is not None and not pending.done and pending.hooks is connection.run_on_commit:
        return pending
    if not create:
        return None
    pending = _PendingBumps()
    # Robust: the data is committed whatever happens here; a failure is logged, not raised.
    transaction.on_commit(pending.run, robust=True)
    pending.hooks = connection.run_on_commit
    connection._cerplan_pending_bumps = pending
    return pending


def _bump(key):
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        cache.set(key, _new_version(), timeout=None)
        return
    pending = _pending(connection, create=True)
    pending.keys.add(key)
    if key not in pending.bumped:
        cache.set(key, _new_version(), timeout=None)
        pending.bumped.add(key)


def _may_store(version_keys):
    """Whether a value just computed may be stored: not when it may hold writes of the current
    transaction that a cache outside it would keep after a rollback.

    The database cache writes in the same transaction and rolls back with it; any other cache
    (Redis) would keep the entry, under the version bumped at once by the rolled-back write.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return True
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, DatabaseCache) and (
        router.db_for_write(backend.cache_model_class) == connection.alias
    ):
        return True
    pending = _pending(connection, create=False)
    return pending is None or not pending.keys.intersection(version_keys)


def _note_read(keys):
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        pending = _pending(connection, create=False)
        if pending is not None:
            pending.bumped.difference_update(keys)
