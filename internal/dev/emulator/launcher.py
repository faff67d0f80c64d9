"""Serve moto's server app one request at a time.

moto_server's stock server is threaded and moto's backends are not safe under
concurrent requests: racing TransactWriteItems oversell. This launcher wraps
moto's WSGI application in a global lock, so every request is handled alone and
the emulator gives what DynamoDB guarantees (atomic conditional writes,
serializable transactions). Connections are still accepted on many threads and
stay keep-alive; only the application call is serialized.

It binds 127.0.0.1 on the port given (0 picks a free one), prints
"READY <port>" on stdout once it accepts connections, and exits when its stdin
closes, so the emulator never outlives the process that started it.
"""

import os
import signal
import sys
import threading


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    import logging

    # One line per request on stderr would drown real errors.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from werkzeug.serving import make_server
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        create_backend_app,
    )

    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serial(environ, start_response):
        with lock:
            result = app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        return [body]

    server = make_server("127.0.0.1", port, serial, threaded=True)
    server.daemon_threads = True
    # A test opens hundreds of connections at once; with werkzeug's backlog
    # of 128 the overflow waits for SYN retransmits (1 s, 3 s, …).
    server.socket.listen(4096)

    def watch_stdin() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    # Ctrl-C in a terminal reaches the whole process group; the parent decides
    # when the emulator stops (by closing stdin), so requests in flight finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
