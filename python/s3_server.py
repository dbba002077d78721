"""The S3-compatible server of the integration tests: moto's server, with one fix.

Python's http.server answers ``Expect: 100-continue`` itself (``handle_expect_100``) and werkzeug answers it
again before running the application, so a client reads two ``100 Continue`` lines and the AWS SDK v2
(Hadoop 3.4's S3A) takes the second for the final response. Here only werkzeug answers.

    python s3_server.py [port]      # prints " * Running on http://127.0.0.1:<port>"; port 0 picks a free one
"""
import sys

import werkzeug.serving
from moto.server import main

werkzeug.serving.WSGIRequestHandler.handle_expect_100 = lambda self: True

if __name__ == "__main__":
    main(["-H", "127.0.0.1", "-p", sys.argv[1] if len(sys.argv) > 1 else "0"])
