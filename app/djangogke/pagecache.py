"""Cached pages on the cache server, invalidated by every write, never poisoned by a slow reader.

Keys (all under ``<KEY_PREFIX>:pc:``):

- ``p:<name>``       one cached page (bytes), TTL = CACHE_TTL_SECONDS;
- ``f:<random>``     a *fill ticket*: a reader that missed takes one BEFORE it reads
                     the database, and may store its page only if the ticket still
                     exists (FILL_SECONDS at most);
- ``index``          a sorted set of the page keys and tickets alive (score: when
                     they expire, client clock), without a TTL of its own so that an
                     eviction policy of ``volatile-*`` (Memorystore's default) never
                     drops it.

A write (new question, vote) commits, then ``invalidate()`` deletes every key in
the index, tickets included, in one script. A reader that missed before the write
and read the old rows finds its ticket gone and does not store; a reader that takes
its ticket after the invalidation reads the database after the commit. So once a
write has returned, every reader sees it (hit or miss), and no stale page can be
stored later. Lookup = one GET (one round trip); only a miss costs more.

If the invalidation cannot reach Redis, the write still succeeds; callers give the
writer a bypass window (see polls/caching.py), and the stale pages of others
expire within CACHE_TTL_SECONDS + FILL_SECONDS at most, sooner when Redis answers
again (the guard drops the whole page cache first, djangogke/cache.py).
Requires a single (non-cluster) Redis, as Memorystore's basic/standard tiers.
"""

import secrets
import time

from . import cache

HIT, MISS, BYPASS = "hit", "miss", "bypass"
FILL_SECONDS = 10
CLOCK_SLACK_S = 10  # pods' clocks may disagree this much about when an entry expires

_FILL = """
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], KEYS[1])
return 1
"""

# A ticket that is gone means a write happened since the reader missed: do not store.
_STORE = """
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
redis.call('ZREM', KEYS[3], KEYS[1])
redis.call('ZADD', KEYS[3], ARGV[3], KEYS[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[4])
return 1
"""

_INVALIDATE = """
local keys = redis.call('ZRANGE', KEYS[1], 0, -1)
for i = 1, #keys, 500 do
  redis.call('DEL', unpack(keys, i, math.min(i + 499, #keys)))
end
redis.call('DEL', KEYS[1])
return #keys
"""


class Lookup:
    """What a lookup found: status hit|miss|bypass, the page on a hit, the ticket on a miss."""

    __slots__ = ("status", "key", "value", "ticket")

    def __init__(self, status, key, value=None, ticket=None):
        self.status, self.key, self.value, self.ticket = status, key, value, ticket

    @property
    def hit(self):
        return self.status == HIT


class PageCache:
    """The scripts and key names for one Guard (one cache server)."""

    def __init__(self, guard):
        self.guard = guard
        self.ttl = guard.cfg["PAGE_TTL"]
        self.prefix = f"{guard.cfg.get('KEY_PREFIX') or 'djangogke'}:pc:"
        self.index = self.prefix + "index"
        client = guard.client
        self.fill = client.register_script(_FILL)
        self.store_script = client.register_script(_STORE)
        self.invalidate_script = client.register_script(_INVALIDATE)

    def key(self, name):
        return self.prefix + "p:" + name

    def lookup(self, name):
        key = self.key(name)
        value = self.guard.call(lambda: self.guard.fast_get(key), _FAILED, "GET")
        if value is _FAILED:
            return Lookup(BYPASS, name)
        if value is not None:
            return Lookup(HIT, name, value)
        ticket = self.prefix + "f:" + secrets.token_hex(8)
        expires = int(time.time()) + FILL_SECONDS + CLOCK_SLACK_S
        taken = self.guard.call(
            lambda: self.fill(keys=[ticket, self.index], args=[FILL_SECONDS, expires]), _FAILED, "fill ticket"
        )
        if taken is _FAILED:
            return Lookup(BYPASS, name)
        return Lookup(MISS, name, ticket=ticket)

    def store(self, lookup, value):
        if lookup is None or lookup.status != MISS:
            return False
        now = int(time.time())
        args = [value, self.ttl, now + self.ttl + CLOCK_SLACK_S, now - CLOCK_SLACK_S]
        keys = [lookup.ticket, self.key(lookup.key), self.index]
        return bool(self.guard.call(lambda: self.store_script(keys=keys, args=args), 0, "store"))

    def invalidate(self, client=None):
        """Raises when Redis fails (the recovery hook needs to know); see invalidate()."""
        return self.invalidate_script(keys=[self.index], args=[], client=client)


_FAILED = object()
_caches = {}


def page_cache():
    """The PageCache of this process, or None when no cache server is configured."""
    g = cache.guard()
    if g is None:
        return None
    pc = _caches.get(id(g))
    if pc is None or pc.guard is not g:
        pc = _caches[id(g)] = PageCache(g)
    return pc


def enabled():
    return cache.config() is not None


def lookup(name):
    """Lookup for page `name` (hit, or miss with a ticket taken, or bypass if Redis fails)."""
    pc = page_cache()
    return None if pc is None else pc.lookup(name)


def bypass(name):
    return Lookup(BYPASS, name)


def store(found, value):
    """Store `value` (bytes) for a miss, unless a write happened since; never raises."""
    pc = page_cache()
    return False if pc is None else pc.store(found, value)


def invalidate():
    """Drop every cached page. True if done; False if Redis failed (or no cache: None).

    On failure the guard's breaker is open and its first call after the outage drops
    the page cache anyway; until then callers protect the writer (bypass window).
    """
    pc = page_cache()
    if pc is None:
        return None
    return pc.guard.call(lambda: pc.invalidate() is not None, False, "invalidate")


def _drop_after_outage(client):
    pc = page_cache()
    if pc is not None:
        pc.invalidate(client=client)


cache.add_recovery_hook(_drop_after_outage)
