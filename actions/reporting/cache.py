"""What a CER's pages may take from the shared cache: entries keyed on the CER's data version.

Every write to a CER's data increments ``Cluster.data_version`` in its own transaction
(clusters.versions.bump_data_version), and every cached entry of a CER is keyed on that
number. The page reads the CER anyway (permissions, header), so the version comes with it: a
page served from the cache costs one cache read (one query with the database cache) besides
the CER, and a write never looks for entries to delete. Entries of older versions are never
read again and go when they expire or the cache culls them.

Besides the CER and its version, a key names the release (settings.CERPLAN_RELEASE), so a
deployment never serves markup rendered by the previous one, and what else changes the entry,
given by the caller: the date (figures "as of today" change at midnight with no write at all),
the as-of date, the language, the user's rights.

Why this is never stale: the version and the data commit together. A request that reads the
CER before a write commits gets the old number, and whatever it computes is stored under that
number, which no request reads once the write has committed. A rolled-back write leaves the
number as it was, and what was computed inside the doomed transaction is not stored (see
:func:`_may_store`), since the next committed write hands out the same number again.

Since a key names the version it was computed under, an entry never goes stale under its key:
each worker process also keeps the entries it last used in its own memory (LOCAL_ENTRIES of
them), and a page found there costs no cache read at all. Only outside a transaction, for the
reason above.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import router, transaction

PREFIX = "cerplan"
#: Entries each process keeps in memory, the least recently used dropped first (a dashboard's
#: body is about 5 KB compressed).
LOCAL_ENTRIES = 200

_local = OrderedDict()
_local_lock = threading.Lock()  # threaded gunicorn workers share a process


def key_prefix(cluster) -> str:
    """The start of every key of ``cluster`` (a Cluster as loaded, with its data_version)."""
    return f"{PREFIX}:{settings.CERPLAN_RELEASE}:cer:{int(cluster.pk)}:v{cluster.data_version}"


@dataclass(frozen=True)
class Entry:
    """An entry of a CER for :func:`cached_entries`."""

    #: Everything besides the CER's data that changes the value (dates, language, rights...).
    parts: tuple
    #: Computes the value when the cache has none.
    compute: Callable
    timeout: object = DEFAULT_TIMEOUT
    #: Stored only when no other entry of the same read had to be computed: a page that
    #: computes its main part pays for one cache write, not two (the next request stores it).
    secondary: bool = False


def cached(cluster, parts, compute, timeout=DEFAULT_TIMEOUT):
    """The CER's entry named by ``parts``, or ``compute()``, stored: one cache read."""
    return cached_entries(cluster, {"value": Entry(parts, compute, timeout)})["value"]


def cached_entries(cluster, entries) -> dict:
    """Several entries of the CER (``{name: Entry}``) → ``{name: value}``: from this process's
    memory, else in one cache read; each ``compute()`` runs only when its entry is in neither."""
    prefix = key_prefix(cluster)
    keys = {
        name: ":".join([prefix, *(str(part) for part in entry.parts)])
        for name, entry in entries.items()
    }
    values = _local_get(keys)
    if len(values) == len(keys):
        return values
    missing = [key for name, key in keys.items() if name not in values]
    found = cache.get_many(missing)
    computed = []
    for name, entry in entries.items():
        if name in values:
            continue
        if keys[name] in found:
            values[name] = found[keys[name]]
        else:
            values[name] = entry.compute()
            computed.append(name)
    if _may_store():
        primary_computed = any(not entries[name].secondary for name in computed)
        for name in computed:
            if not (entries[name].secondary and primary_computed):
                cache.set(keys[name], values[name], entries[name].timeout)
    if not transaction.get_connection().in_atomic_block:
        _local_put({keys[name]: values[name] for name in keys})
    return values


def _local_get(keys):
    with _local_lock:
        values = {}
        for name, key in keys.items():
            if key in _local:
                _local.move_to_end(key)
                values[name] = _local[key]
        return values


def _local_put(items):
    with _local_lock:
        _local.update(items)
        for key in items:
            _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def _may_store():
    """Whether a value just computed may be stored.

    Outside a transaction, always. Inside one, it may hold writes of that transaction whose
    version bump rolls back with them; the database cache, written on the same connection,
    rolls the entry back too, but any other cache (Redis) would keep it under a number the next
    committed write hands out again.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return True
    backend = caches[DEFAULT_CACHE_ALIAS]
    return isinstance(backend, DatabaseCache) and (
        router.db_for_write(backend.cache_model_class) == connection.alias
    )
