"""A gthread worker that drains on shutdown, for gunicorn < 24 (the image's 23.x).

gunicorn >= 24's gthread worker already does this (set_accept_enabled): after
SIGTERM it stops accepting and keeps handling the connections it has accepted,
within graceful_timeout. Up to 23.x it instead leaves its event loop at once: a
request nginx has just written to a kept-alive upstream connection is never
read, the socket is closed with unread data (a TCP reset) and nginx answers 502
for a request the pod had accepted (test_graceful_shutdown saw exactly that on
23.0). gunicorn.conf.py picks this class for gunicorn < 24. This module imports
only gunicorn (the master loads it by name).
"""

import concurrent.futures as futures
import selectors
import time
from functools import partial

from gunicorn.workers.gthread import ThreadWorker

# A kept-alive connection that brings no request for this long after the drain
# started is closed (the peer, nginx, is quitting or has other connections).
IDLE_GRACE_S = 1.0
TICK_S = 0.05


class DrainingThreadWorker(ThreadWorker):
    def run(self):
        if hasattr(self, "set_accept_enabled"):  # gunicorn >= 24 drains by itself
            return super().run()
        self._serve_until_stopped()
        self._drain()

    def _reap_done(self, timeout):
        result = futures.wait(self.futures, timeout=timeout, return_when=futures.FIRST_COMPLETED)
        for fut in result.done:
            self.futures.remove(fut)

    def _serve_until_stopped(self):
        """ThreadWorker.run()'s loop as in gunicorn 20.1 to 23.0, unchanged."""
        for sock in self.sockets:
            sock.setblocking(False)
            server = sock.getsockname()
            self.poller.register(sock, selectors.EVENT_READ, partial(self.accept, server))

        while self.alive:
            self.notify()
            if self.nr_conns < self.worker_connections:
                for key, _ in self.poller.select(1.0):
                    key.data(key.fileobj)
                self._reap_done(0)
            else:
                self._reap_done(1.0)
            if not self.is_parent_alive():
                break
            self.murder_keepalived()

    def _drain(self):
        """Stop accepting, then finish every accepted connection within graceful_timeout."""
        for sock in self.sockets:
            try:
                self.poller.unregister(sock)
            except (KeyError, ValueError, OSError):
                pass
            # Connections the kernel completed before the stop wait in the listen
            # backlog: take them too (closing the listener would reset them).
            server = sock.getsockname()
            while True:
                before = self.nr_conns
                try:
                    self.accept(server, sock)  # non-blocking; returns quietly on EAGAIN
                except OSError:
                    break
                if self.nr_conns == before:
                    break
            sock.close()  # new connections are refused once every process has closed it

        started = time.monotonic()
        deadline = started + self.cfg.graceful_timeout
        while (self.nr_conns > 0 or self.futures) and time.monotonic() < deadline:
            self.notify()
            # Requests already written to kept-alive connections are read and
            # handled (responses carry Connection: close since alive is False).
            for key, _ in self.poller.select(TICK_S):
                key.data(key.fileobj)
            self._reap_done(0)
            if time.monotonic() - started >= IDLE_GRACE_S:
                self._close_idle_keepalive()

        self.tpool.shutdown(False)
        self.poller.close()
        futures.wait(self.futures, timeout=max(0.0, deadline - time.monotonic()))

    def _close_idle_keepalive(self):
        with self._lock:
            idle = list(self._keep)
            self._keep.clear()
            for conn in idle:
                try:
                    self.poller.unregister(conn.sock)
                except (KeyError, ValueError, OSError):
                    pass
        for conn in idle:
            self.nr_conns -= 1
            conn.close()
