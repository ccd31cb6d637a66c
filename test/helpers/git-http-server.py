"""A Git host over smart HTTP for tests: Basic authentication in front of git's own
`git http-backend` (the CGI program Git hosts and `git help http-backend` describe).

    python3 git-http-server.py PROJECT_ROOT USER PASSWORD PORT LOG

Answers 401 with a Basic challenge unless the request carries USER:PASSWORD, then runs
`git http-backend` with the CGI variables it reads (GIT_PROJECT_ROOT, PATH_INFO,
QUERY_STRING, REQUEST_METHOD, CONTENT_TYPE, HTTP_CONTENT_ENCODING, HTTP_GIT_PROTOCOL,
REMOTE_USER). Each request is logged as "METHOD PATH STATUS" in LOG.
"""
import base64
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

root, user, password, port, log = sys.argv[1:6]
expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, status):
        with open(log, "a") as out:
            out.write(f"{self.command} {self.path} {status}\n")

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def serve(self):
        data = self.body()
        if self.headers.get("Authorization") != expected:
            self.record(401)
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": root, "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(data)),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""), "REMOTE_USER": user,
        }
        result = subprocess.run(["git", "http-backend"], input=data, env=env, capture_output=True)
        head, _, payload = result.stdout.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.record(status)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = serve
    do_POST = serve


server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
with open(log, "a") as out:
    out.write("listening\n")
server.serve_forever()
