"""gunicorn's threaded worker, with a deadline for slow clients.

gunicorn's gthread worker hands each connection to a thread as soon as its first bytes
arrive, and that thread then blocks reading the headers and the body with no time limit:
a client that trickles a byte a second holds a thread for as long as it likes, and as many
such clients as there are threads stop the server. gunicorn 27 has no setting for this
(its `timeout` only watches the worker's main loop, which stays alive).

DeadlineWorker gives every request a deadline, CLIENT_TIMEOUT seconds from the moment its
connection is handed to a thread (accepted, or readable again after keep-alive). A watchdog
thread shuts down the socket of a request still being read at its deadline: the blocked
read sees the end of the stream and the thread is free. BufferedBody (WSGI middleware) reads
the whole body, up to the size limit, before the app runs, so the deadline covers headers
and body; the app's own work has no deadline; sending the answer gets a fresh one.

A worker whose threads are all taken stops accepting for a moment (ACCEPT_PAUSE), leaving new
connections to a worker with a free thread. On the socket the workers share, whichever wakes
first accepts, and a client (or nginx) that opens its keep-alive connections at once could
land them all on one worker, leaving the other idle for as long as they last (all 16 of
wrk -c16's in 2 of 6 runs). The pause is short, so that when every worker is full, connections
still reach a thread's queue (and their deadline) soon. (Each worker on a socket of its own,
SO_REUSEPORT, spreads them too, but a worker killed with connections in its backlog takes them
down with it.)

When the worker is otherwise idle, a thread that has just answered on a keep-alive connection
waits a moment (NEXT_REQUEST_WAIT) for that client's next request and serves it itself.
gunicorn would hand the connection back to the main loop, which hands it to a thread again
when the request arrives: two hand-offs between threads, which cost more than /health's own
work. Under load the main loop stays in charge: one wake-up of it finds many connections ready.

This bounds what one slow client costs; it cannot make a threaded server immune to many of
them. In production the server belongs behind a proxy that buffers whole requests (nginx,
with `proxy_request_buffering on`, the default), which talks to it only at LAN speed.
"""

from __future__ import annotations

import contextlib
import io
import logging
import select
import socket
import threading
import time

from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

from backend.serving.app import INCOMPLETE_BODY

log = logging.getLogger(__name__)

READ_CHUNK = 64 * 1024
LINGER = 1.0  # seconds a closing connection waits for the client's FIN (draining what it still sends)
LINGER_BYTES = 64 * 1024
# Seconds a thread waits for the next request on the keep-alive connection it has just answered.
# A client under load sends it within a fraction of a millisecond; a browser, much later.
NEXT_REQUEST_WAIT = 0.002
ACCEPT_PAUSE = 0.05  # seconds a worker with no free thread leaves new connections to the others


class Watchdog:
    """Shuts down the sockets whose deadline has passed; a thread blocked reading one then sees EOF.

    Keyed by file descriptor (the same for a socket and its TLS wrapper). `on_cut(phase)` is
    called for each connection cut.
    """

    def __init__(self, tick: float = 0.2, on_cut=None):
        self.tick = tick
        self.on_cut = on_cut
        self._lock = threading.Lock()
        self._watched: dict[int, tuple[float, socket.socket, str]] = {}
        self._cut: set[int] = set()
        self._thread: threading.Thread | None = None

    def start(self) -> Watchdog:
        self._thread = threading.Thread(target=self._run, name="client-deadlines", daemon=True)
        self._thread.start()
        return self

    def arm(self, sock: socket.socket, deadline: float, phase: str) -> int:
        """Watch `sock` until `deadline`; returns its file descriptor, the key for `disarm`."""
        fd = sock.fileno()
        with self._lock:
            self._cut.discard(fd)
            self._watched[fd] = (deadline, sock, phase)
        return fd

    def disarm(self, fd: int) -> None:
        with self._lock:
            self._watched.pop(fd, None)
            self._cut.discard(fd)

    def pause(self, sock: socket.socket) -> bool:
        """Stop watching `sock` (the app is working, not the client); True if it was cut already."""
        with self._lock:
            fd = sock.fileno()
            self._watched.pop(fd, None)
            return fd in self._cut

    def _run(self) -> None:
        while True:
            time.sleep(self.tick)
            now = time.monotonic()
            with self._lock:
                expired = [(fd, entry) for fd, entry in self._watched.items() if entry[0] <= now]
                for fd, _ in expired:
                    del self._watched[fd]
                    self._cut.add(fd)
            for _, (_, sock, phase) in expired:
                with contextlib.suppress(OSError):  # already closed by the other side
                    sock.shutdown(socket.SHUT_RDWR)
                if self.on_cut is not None:
                    self.on_cut(phase)


# The worker's watchdog (one worker per process); None outside DeadlineWorker.
_watchdog: Watchdog | None = None
_client_timeout: float = 10.0


def _count_cut(phase: str) -> None:
    from backend.serving import metrics

    metrics.CLIENT_TIMEOUTS.labels(phase=phase).inc()
    log.info("Closed a connection whose client was too slow (%s)", phase)


class DeadlineWorker(ThreadWorker):
    """ThreadWorker whose requests must arrive within `client_timeout` seconds (see the module doc)."""

    client_timeout = 10.0  # set by the server before the workers fork

    def init_process(self):
        global _watchdog, _client_timeout
        _client_timeout = self.client_timeout
        _watchdog = Watchdog(on_cut=_count_cut).start()
        # Connections handed to the thread pool (counted by the main loop), those a thread has
        # taken, and the threads serving one now (counted by the threads, under the lock).
        self.handed_out, self.taken, self.busy, self.counts_lock = 0, 0, 0, threading.Lock()
        self.accept_paused_until, self.pause_timer = 0.0, None
        super().init_process()

    def enqueue_req(self, conn):
        conn.deadline = time.monotonic() + self.client_timeout
        self.handed_out += 1
        super().enqueue_req(conn)

    def accept(self, listener):
        super().accept(listener)
        if self._accepting and not self._free_thread():  # pause (see the module doc)
            super().set_accept_enabled(False)
            self.accept_paused_until = time.monotonic() + ACCEPT_PAUSE
            if self.pause_timer is None:
                self._end_pause_in(ACCEPT_PAUSE)

    def set_accept_enabled(self, enabled):
        """gunicorn's main loop calls this on every turn while accepting is off: it stays off during a pause."""
        paused = time.monotonic() < self.accept_paused_until and not self._free_thread()
        super().set_accept_enabled(enabled and not paused)

    def _end_pause_in(self, seconds: float):
        """Wake the main loop when the pause ends, whatever else happens (or not) meanwhile: one timer at a time."""
        self.pause_timer = threading.Timer(seconds, self.method_queue.defer, args=(self._end_pause,))
        self.pause_timer.daemon = True
        self.pause_timer.start()

    def _end_pause(self):
        """On the main loop, as accept(); its next turn turns accepting back on (set_accept_enabled)."""
        self.pause_timer = None
        remaining = self.accept_paused_until - time.monotonic()
        if remaining > 0:  # a later pause, begun while this timer ran
            self._end_pause_in(remaining)

    def _free_thread(self) -> bool:
        waiting = self.handed_out - self.taken
        return self.busy + waiting < self.cfg.threads

    def handle(self, conn):
        with self.counts_lock:
            self.taken += 1
            self.busy += 1
        try:
            while True:
                keep = self._handle_one(conn)
                if not (keep is True and self.alive and self._next_request_soon(conn)):
                    return keep
                conn.deadline = time.monotonic() + self.client_timeout
        finally:
            with self.counts_lock:
                self.busy -= 1

    def _handle_one(self, conn):
        sock = conn.sock
        deadline = getattr(conn, "deadline", None) or time.monotonic() + self.client_timeout
        fd = _watchdog.arm(sock, deadline, "request")
        try:
            keep = super().handle(conn)
            if keep is False:
                close_gently(sock)
            return keep
        finally:
            _watchdog.disarm(fd)

    def _next_request_soon(self, conn) -> bool:
        """Whether this thread should serve the connection's next request itself (see the module doc).

        Only while no other thread is serving and no connection waits for a thread: otherwise
        the connection goes back to the main loop (as gunicorn does), so one client cannot
        starve the others.
        """
        if not self._idle_but_me():
            return False
        if conn.parser.unreader.buf.getvalue():  # read ahead already (as gunicorn's finish_request checks)
            return True
        poller = select.poll()  # not select.select: a worker's sockets may be numbered past 1023
        try:
            poller.register(conn.sock, select.POLLIN)
            readable = poller.poll(NEXT_REQUEST_WAIT * 1000)
        except (OSError, ValueError):  # closed meanwhile
            return False
        return bool(readable) and self._idle_but_me()

    def _idle_but_me(self) -> bool:
        # Accepting is off while no thread is free: then a new client waits in the listen backlog,
        # where it cannot be counted, and must not wait behind this connection.
        return self.busy == 1 and self.handed_out == self.taken and self._accepting


class AppLogger(Logger):
    """gunicorn's logger without its access lines: the app writes its own, with the request id.

    With a logging config, gunicorn builds every request's access-line fields (0.05 ms) before
    its `gunicorn.access` logger drops the line.
    """

    def access(self, resp, req, environ, request_time):
        pass


def close_gently(sock: socket.socket) -> None:
    """Half-close, drain what the client still sends until its FIN (LINGER seconds at most), then shut reading.

    gunicorn does this lingering close (RFC 9112 9.6: no RST that could cut the answer
    short) on the worker's main loop, up to 2 s per connection, so a few clients that send
    `Connection: close` and never hang up stall every connection of the worker. Done here,
    on the request's own thread, the main loop's close then finds nothing left to wait for.
    """
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        return  # gone already
    try:
        deadline = time.monotonic() + LINGER
        drained = 0
        while drained < LINGER_BYTES and (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(remaining)
            piece = sock.recv(4096)
            if not piece:
                break
            drained += len(piece)
    except OSError:
        pass  # reset, or the wait ran out (socket.timeout is an OSError)
    finally:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RD)


class BufferedBody:
    """WSGI middleware: read the request body whole (up to `max_bytes`) under the client's deadline.

    Then the deadline is lifted while the app works, and a fresh one is set for sending the
    answer. A body without Content-Length (chunked) is handed on with one, the length read
    (`max_bytes + 1` when it was larger, which the app refuses with 413). A body that did not
    arrive in full is replaced by an empty one and marked in `environ[INCOMPLETE_BODY]`
    ("timeout" or "incomplete"), which the app answers with 408 or 400.
    Outside DeadlineWorker it changes nothing.
    """

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def __call__(self, environ, start_response):
        sock = environ.get("gunicorn.socket")
        watchdog = _watchdog
        if watchdog is None or sock is None:
            return self.app(environ, start_response)
        complete = self._buffer(environ)
        cut = watchdog.pause(sock)
        if not complete:
            environ[INCOMPLETE_BODY] = "timeout" if cut else "incomplete"
        result = self.app(environ, start_response)
        watchdog.arm(sock, time.monotonic() + _client_timeout, "response")
        return result

    def _buffer(self, environ) -> bool:
        """Replace wsgi.input by the body read into memory; False if it did not arrive in full."""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        declared = environ.get("CONTENT_LENGTH")
        if chunked:
            wanted = self.max_bytes + 1  # read to the end, or one byte past the limit
        elif declared:
            try:
                wanted = int(declared)
            except ValueError:
                return True  # werkzeug treats a bad Content-Length as 0
            if wanted > self.max_bytes or wanted <= 0:
                return True  # refused from the header alone (413), or nothing to read
        else:
            return True
        body = bytearray()
        try:
            while len(body) < wanted:
                piece = environ["wsgi.input"].read(min(READ_CHUNK, wanted - len(body)))
                if not piece:
                    break
                body += piece
        except Exception:  # the client went away, the deadline cut it, or bad chunked framing
            complete = False
        else:
            complete = chunked or len(body) == wanted
        if not complete:
            body.clear()
        environ["wsgi.input"] = io.BytesIO(bytes(body))
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return complete
