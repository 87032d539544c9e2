"""What every loopback server of granary's tests shares (stdlib only): a threaded HTTP server
on 127.0.0.1, port 0, that prints the port it bound on its first line of output (what
tests/support/loopback_process.hpp waits for) and exits when its parent process goes away.
"""
import http.server
import os
import sys
import threading
import time


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Clients open dozens of connections at once (parallel ranged GETs, a fleet of Lambda
    # invocations); with the default backlog of 5 the kernel drops the rest and they retry.
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], OSError):
            return  # a connection dropped on purpose (fault injection) or by the client
        super().handle_error(request, client_address)


def exit_with_parent(parent):
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def serve(handler, on_bound=None):
    """Serves `handler` until the parent exits; on_bound(port) runs before the port is printed."""
    server = Server(("127.0.0.1", 0), handler)
    if on_bound:
        on_bound(server.server_address[1])
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()
